//go:build !race

package provisioning_test

// raceDetector is true when the tests run with the race detector.
const raceDetector = false

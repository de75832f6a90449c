//go:build race

package provisioning_test

// raceDetector is true when the tests run with the race detector, which
// makes the year-long cycle test about ten times slower.
const raceDetector = true

package provisioning

// NextPeriodPrice is nextPeriodPrice, for the package's external tests.
var NextPeriodPrice = nextPeriodPrice

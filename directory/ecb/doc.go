// Package ecb is a directory.RateSource for the euro foreign exchange
// reference rates the European Central Bank publishes each business day
// around 16:00 CET.
//
// It owns only the HTTP fetch: parsing is directory.ParseECBRates, which is
// pure and fuzzed, and storing is directory.Service.RefreshRates, which calls
// FetchRates before it opens a transaction. The zero Source fetches the daily
// file from DefaultURL with a client that times out; point URL at the 90-day
// file, a mirror or a test server as needed.
//
// Errors are *billkit.Error values: unavailable (reason "ecb.unavailable")
// for network failures, cancelled contexts, timeouts, 429 and 5xx answers, so
// a scheduler retries later; internal (reason "ecb.status") for other
// unexpected statuses; and the invalid errors of directory.ParseECBRates for
// a body that is not the ECB's format or is larger than
// directory.MaxECBSize.
package ecb

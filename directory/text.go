package directory

// Text is a value translated per locale: a map from a BCP 47 locale code
// ("en", "ru") to the text in that language. Every name a client sees is a
// Text. It encodes as a JSON object in the API and in the database.
type Text map[string]string

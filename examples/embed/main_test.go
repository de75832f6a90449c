package main

// The example program runs as a test, so it keeps compiling and working.
func Example() {
	main()
	// Output: 100.00 USD = 92.00 EUR at 0.92
}

package storetest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/storetest"
)

// A test gets a migrated, isolated store in one line. (Examples have no
// *testing.T; a test passes its own t.)
func ExampleNewMemory() {
	t := &testing.T{}
	st := storetest.NewMemory(t)
	defer st.Close()

	n, err := st.Directory().SeedLocales(context.Background(), []directory.Locale{
		{Code: "en", Name: "English", EnglishName: "English", Enabled: true, Default: true},
		{Code: "ru", Name: "Русский", EnglishName: "Russian", Enabled: true},
	})
	fmt.Println(n, err)
	// Output:
	// 2 <nil>
}

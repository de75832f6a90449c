package billkit_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const modulePath = "github.com/billkit/billkit"

// layers is ARCHITECTURE.md's package table: each package and the project
// packages it may import. Arrows point one way, down the table. A subpackage
// of a listed package (directory/ecb) is an adapter of it: it may import its
// parent and whatever the parent may.
var layers = map[string][]string{
	"":             {},
	"directory":    {""},
	"access":       {""},
	"catalog":      {"", "directory"},
	"billing":      {"", "directory", "catalog"},
	"provisioning": {"", "directory", "catalog", "billing"},
	"support":      {"", "directory", "access", "billing"},
}

// domainPackages must stay pure: no SQL, no HTTP, no drivers.
var domainPackages = []string{"", "directory", "access", "catalog", "billing", "provisioning", "support"}

// forbiddenInDomain lists import path prefixes a domain package may not use.
// database/sql/driver is allowed: types implement driver.Valuer so that any
// store can write them, which needs no database.
var forbiddenInDomain = []string{
	"database/sql",
	"net/http",
	"github.com/uptrace/bun",
	"github.com/jackc/pgx",
	"github.com/lib/pq",
	"modernc.org/sqlite",
	"github.com/mattn/go-sqlite3",
	"github.com/riverqueue/river",
}

var allowedInDomain = []string{"database/sql/driver"}

// checkImports returns the violations of the rules above by package rel (a
// path relative to the module root, "" for the root) importing path.
func checkImports(rel string, imports []string) []string {
	var bad []string
	isDomain := slices.Contains(domainPackages, rel)
	owner, isListed := layerOf(rel)
	for _, imp := range imports {
		if isDomain && !slices.Contains(allowedInDomain, imp) {
			for _, f := range forbiddenInDomain {
				if imp == f || strings.HasPrefix(imp, f+"/") {
					bad = append(bad, "domain package "+display(rel)+" imports "+imp)
				}
			}
		}
		if !isListed || !(imp == modulePath || strings.HasPrefix(imp, modulePath+"/")) {
			continue
		}
		target := strings.TrimPrefix(strings.TrimPrefix(imp, modulePath), "/")
		if target == owner && rel != owner {
			continue // an adapter importing its own parent
		}
		targetLayer, targetListed := layerOf(target)
		if !targetListed {
			bad = append(bad, display(rel)+" imports "+imp+", which is outside the domain layers (store, cmd, examples)")
			continue
		}
		if targetLayer == owner && target != owner {
			bad = append(bad, display(rel)+" imports "+imp+": a domain package may not import its own adapters")
			continue
		}
		if !slices.Contains(layers[owner], targetLayer) {
			bad = append(bad, display(rel)+" imports "+imp+": ARCHITECTURE.md allows "+display(owner)+" to import only "+list(layers[owner]))
		}
	}
	return bad
}

// layerOf returns the listed package that rel is or lies under.
func layerOf(rel string) (string, bool) {
	if rel == "" {
		return "", true
	}
	first, _, _ := strings.Cut(rel, "/")
	if _, ok := layers[first]; ok {
		return first, true
	}
	return "", false
}

func display(rel string) string {
	if rel == "" {
		return "billkit (root)"
	}
	return rel
}

func list(rels []string) string {
	if len(rels) == 0 {
		return "nothing of the project"
	}
	names := make([]string, len(rels))
	for i, r := range rels {
		names[i] = display(r)
	}
	return strings.Join(names, ", ")
}

// TestArchitecture parses the imports of every non-test file in the module
// and fails on any import that breaks ARCHITECTURE.md.
func TestArchitecture(t *testing.T) {
	imports := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(filepath.Dir(path))
		if rel == "." {
			rel = ""
		}
		for _, spec := range f.Imports {
			p, _ := strconv.Unquote(spec.Path.Value)
			imports[rel] = append(imports[rel], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := imports["directory"]; !ok {
		t.Fatal("the walk found no directory package: is the test running from the module root?")
	}
	for rel, imps := range imports {
		for _, v := range checkImports(rel, imps) {
			t.Error(v)
		}
	}
}

// TestArchitectureRules proves the checker catches each kind of violation, so
// TestArchitecture passing means something.
func TestArchitectureRules(t *testing.T) {
	cases := []struct {
		rel, imp string
		bad      bool
	}{
		{"directory", modulePath, false},
		{"catalog", modulePath + "/directory", false},
		{"directory", modulePath + "/catalog", true}, // a reversed arrow
		{"", modulePath + "/directory", true},        // the root imports nothing of the project
		{"billing", modulePath + "/provisioning", true},
		{"support", modulePath + "/access", false},
		{"catalog", modulePath + "/access", true},
		{"directory", "database/sql", true},
		{"directory", "database/sql/driver", false},
		{"", "net/http", true},
		{"billing", "github.com/uptrace/bun/dialect/pgdialect", true},
		{"directory", "github.com/jackc/pgx/v5", true},
		{"directory", "modernc.org/sqlite", true},
		{"directory", modulePath + "/store/bunstore", true},
		{"directory/ecb", "net/http", false},
		{"directory/ecb", modulePath + "/directory", false},
		{"directory/ecb", modulePath + "/catalog", true},
		{"directory", modulePath + "/directory/ecb", true},
		{"store/bunstore", "github.com/uptrace/bun", false},
		{"store/bunstore", modulePath + "/directory", false},
		{"cmd/billkit", modulePath + "/store/bunstore", false},
	}
	for _, c := range cases {
		got := len(checkImports(c.rel, []string{c.imp})) > 0
		if got != c.bad {
			t.Errorf("%s importing %s: violation=%v, want %v", display(c.rel), c.imp, got, c.bad)
		}
	}
}

// TestEveryPackageHasDocAndExample checks that every package directory has a
// doc.go (main packages under examples/ excepted: they are the example) and a
// test file with an Example function.
func TestEveryPackageHasDocAndExample(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			return err
		}
		hasGo, hasDoc, isMain, hasExample := false, false, false, false
		for _, e := range entries {
			n := e.Name()
			if strings.HasSuffix(n, "_test.go") {
				src, err := os.ReadFile(filepath.Join(path, n))
				if err != nil {
					return err
				}
				if strings.Contains(string(src), "\nfunc Example") {
					hasExample = true
				}
			}
			if strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
				hasGo = true
				if n == "doc.go" {
					hasDoc = true
				}
				if n == "main.go" {
					isMain = true
				}
			}
		}
		if hasGo && !hasDoc && !(isMain && strings.HasPrefix(filepath.ToSlash(path), "examples/")) {
			t.Errorf("package %s has no doc.go", path)
		}
		if hasGo && !hasExample {
			t.Errorf("package %s has no runnable Example function in its tests", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

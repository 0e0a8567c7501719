package app_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const modulePath = "github.com/fogchain/fog/"

// imports lists the fog packages that the non-test Go files of dir import.
func imports(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	out := map[string]bool{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			if strings.HasPrefix(path, modulePath) {
				out[strings.TrimPrefix(path, modulePath)] = true
			}
		}
	}
	return out
}

// The modules stay composable: no module's types package imports another module's types (shared
// value types live in fogtypes), and no keeper imports another fog module's keeper; keepers reach
// each other only through the interfaces in their expected_keepers.go and the market's hooks.
func TestModulesDependThroughInterfacesAndHooks(t *testing.T) {
	modules, err := os.ReadDir("../x")
	require.NoError(t, err)
	for _, m := range modules {
		if !m.IsDir() {
			continue
		}
		name := m.Name()
		for imp := range imports(t, filepath.Join("..", "x", name, "types")) {
			if strings.HasPrefix(imp, "x/") && !strings.HasPrefix(imp, "x/"+name+"/") {
				t.Errorf("x/%s/types imports %s: shared value types belong in fogtypes", name, imp)
			}
		}
		for imp := range imports(t, filepath.Join("..", "x", name, "keeper")) {
			if strings.HasPrefix(imp, "x/") && strings.HasSuffix(imp, "/keeper") && imp != "x/"+name+"/keeper" {
				t.Errorf("x/%s/keeper imports %s: declare the methods it needs in x/%s/types/expected_keepers.go", name, imp, name)
			}
		}
	}
	market := imports(t, "../x/market/keeper")
	for imp := range market {
		require.False(t, strings.HasPrefix(imp, "x/") && !strings.HasPrefix(imp, "x/market/"),
			"x/market/keeper imports %s: other modules plug in through the market's hooks or its expected keepers", imp)
	}
}

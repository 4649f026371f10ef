package apidoc

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Const is a string constant declared in Go source.
type Const struct {
	Name, Type, Value string // Type is the declared type's name, "" for an untyped constant
}

// Consts lists the string constants declared in the non-test Go files of dir, so that a document
// can be compared with the values Go defines (event types, statuses) without a hand-kept list.
func Consts(t testing.TB, dir string) []Const {
	t.Helper()
	var out []Const
	for _, f := range parseDir(t, dir) {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				typ := ""
				if id, ok := vs.Type.(*ast.Ident); ok {
					typ = id.Name
				}
				for i, name := range vs.Names {
					if i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, err := strconv.Unquote(lit.Value)
						require.NoError(t, err)
						out = append(out, Const{Name: name.Name, Type: typ, Value: v})
					}
				}
			}
		}
	}
	return out
}

// Values lists the values of the string constants of type typ declared in dir (a service's
// statuses), for comparing with a document's enum.
func Values(t testing.TB, dir, typ string) []string {
	t.Helper()
	var out []string
	for _, c := range Consts(t, dir) {
		if c.Type == typ {
			out = append(out, c.Value)
		}
	}
	return out
}

// ErrorCodes returns every error code a service's HTTP API can answer: the code argument of each
// apierr.Write call in its handlers' packages (dirs), in apierr itself (strict decoding) and in
// httpserver (unknown routes and methods, panics). Codes must be constants or literals.
func ErrorCodes(t testing.TB, dirs ...string) []string {
	t.Helper()
	root := moduleRoot(t)
	consts := map[string]string{} // "pkg.Name" -> value
	var files []*ast.File
	for _, d := range append(append([]string(nil), dirs...), filepath.Join(root, "services/internal/apierr"), filepath.Join(root, "services/internal/httpserver")) {
		fs := parseDir(t, d)
		for _, c := range Consts(t, d) {
			consts[fs[0].Name.Name+"."+c.Name] = c.Value
		}
		files = append(files, fs...)
	}
	set := map[string]bool{}
	for _, f := range files {
		pkg := f.Name.Name
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !isWrite(call.Fun, pkg) || len(call.Args) < 3 {
				return true
			}
			arg := call.Args[2]
			if conv, ok := arg.(*ast.CallExpr); ok && len(conv.Args) == 1 { // string(stockapi.CodeX)
				arg = conv.Args[0]
			}
			var v string
			switch a := arg.(type) {
			case *ast.BasicLit:
				v, _ = strconv.Unquote(a.Value)
			case *ast.Ident:
				v = consts[pkg+"."+a.Name]
			case *ast.SelectorExpr:
				if x, ok := a.X.(*ast.Ident); ok {
					v = consts[x.Name+"."+a.Sel.Name]
				}
			}
			require.NotEmpty(t, v, "%s: cannot tell the error code of a Write call", f.Name.Name)
			set[v] = true
			return true
		})
	}
	out := keys(set)
	sort.Strings(out)
	return out
}

// isWrite tells an apierr.Write call (spelled Write inside package apierr).
func isWrite(fun ast.Expr, pkg string) bool {
	switch f := fun.(type) {
	case *ast.SelectorExpr:
		x, ok := f.X.(*ast.Ident)
		return ok && x.Name == "apierr" && f.Sel.Name == "Write"
	case *ast.Ident:
		return pkg == "apierr" && f.Name == "Write"
	}
	return false
}

func parseDir(t testing.TB, dir string) []*ast.File {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	fset := token.NewFileSet()
	var out []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, 0)
		require.NoError(t, err)
		out = append(out, f)
	}
	require.NotEmpty(t, out, "no Go files in %s", dir)
	return out
}

// moduleRoot is the repository root, found from this file's place in it (services/internal/apidoc).
func moduleRoot(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

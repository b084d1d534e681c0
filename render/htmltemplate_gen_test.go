package render

// This file turns the template test tables of the installed Go toolchain
// (html/template's escape_test.go and text/template's exec_test.go) into a
// program that runs every case through html/template and through render and
// prints the outcomes as JSON. The tables' data are Go composite literals whose
// types and methods are declared in those test files, so the only faithful way
// to get the same data into both engines is to compile the declarations: the
// generator extracts them with go/parser, at test time, and never stores a copy.
//
// Each table is compiled twice, once against html/template and once against
// render (the identifiers the test files take from their own package, such as
// New, Must, FuncMap, HTML and Template, are qualified with the engine's
// package), so that each engine gets data of its own types: html/template's
// HTML values become render's HTML values.

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	goprinter "go/printer"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// goSource is one parsed Go source file of the toolchain.
type goSource struct {
	fset    *token.FileSet
	file    *ast.File
	decls   map[string][]ast.Decl // top-level declarations by name (a type's methods included)
	imports map[string]string     // import name -> path
	own     map[string]bool       // exported top-level names of the file's own package
}

func parseGoSource(path, ownPkgDir string) (*goSource, error) {
	fset := token.NewFileSet()
	// Object resolution stays on: an identifier the parser cannot resolve in
	// the file is one the file takes from its package or the universe.
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		return nil, err
	}
	s := &goSource{fset: fset, file: f, decls: map[string][]ast.Decl{}, imports: map[string]string{}, own: map[string]bool{}}
	for _, im := range f.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		name := p[strings.LastIndex(p, "/")+1:]
		if im.Name != nil {
			name = im.Name.Name
		}
		s.imports[name] = p
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			name := d.Name.Name
			if d.Recv != nil {
				name = recvTypeName(d.Recv.List[0].Type)
			}
			s.decls[name] = append(s.decls[name], d)
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				continue
			}
			for _, sp := range d.Specs {
				one := &ast.GenDecl{TokPos: sp.Pos(), Tok: d.Tok, Specs: []ast.Spec{sp}}
				switch sp := sp.(type) {
				case *ast.TypeSpec:
					s.decls[sp.Name.Name] = append(s.decls[sp.Name.Name], one)
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						s.decls[n.Name] = append(s.decls[n.Name], one)
					}
				}
			}
		}
	}
	// The exported names of the package under test, from its non-test files.
	entries, err := os.ReadDir(ownPkgDir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		pf, err := parser.ParseFile(token.NewFileSet(), filepath.Join(ownPkgDir, n), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, d := range pf.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					s.own[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					switch sp := sp.(type) {
					case *ast.TypeSpec:
						if sp.Name.IsExported() {
							s.own[sp.Name.Name] = true
						}
					case *ast.ValueSpec:
						for _, n := range sp.Names {
							if n.IsExported() {
								s.own[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	return s, nil
}

func recvTypeName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// funcBody returns the body of the top-level function name.
func (s *goSource) funcBody(name string) (*ast.BlockStmt, error) {
	for _, d := range s.decls[name] {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
			return fd.Body, nil
		}
	}
	return nil, fmt.Errorf("%s: no function %s", s.fset.File(s.file.Pos()).Name(), name)
}

// setupStmts returns the statements of a test function before its first loop:
// they declare the data, the table and the functions.
func (s *goSource) setupStmts(name string) ([]ast.Stmt, error) {
	body, err := s.funcBody(name)
	if err != nil {
		return nil, err
	}
	var out []ast.Stmt
	for _, st := range body.List {
		if _, ok := st.(*ast.RangeStmt); ok {
			break
		}
		if _, ok := st.(*ast.ForStmt); ok {
			break
		}
		out = append(out, st)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no statements before the loop", name)
	}
	return out, nil
}

// assignedLit returns the statement of function fn that assigns variable v.
func (s *goSource) assignedStmt(fn, v string) (ast.Stmt, error) {
	body, err := s.funcBody(fn)
	if err != nil {
		return nil, err
	}
	for _, st := range body.List {
		if as, ok := st.(*ast.AssignStmt); ok && len(as.Lhs) == 1 {
			if id, ok := as.Lhs[0].(*ast.Ident); ok && id.Name == v {
				return st, nil
			}
		}
	}
	return nil, fmt.Errorf("%s: no assignment to %s", fn, v)
}

// locals returns the variables declared by stmts, in order.
func locals(stmts []ast.Stmt) []string {
	var out []string
	for _, st := range stmts {
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				for _, e := range st.Lhs {
					if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
						out = append(out, id.Name)
					}
				}
			}
		case *ast.DeclStmt:
			if gd, ok := st.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, sp := range gd.Specs {
					for _, n := range sp.(*ast.ValueSpec).Names {
						out = append(out, n.Name)
					}
				}
			}
		}
	}
	return out
}

// refs calls fn for every identifier of n that may name a top-level
// declaration or an import: every identifier but selected names.
func refs(n ast.Node, fn func(*ast.Ident)) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			refs(x.X, fn)
			return false
		case *ast.Ident:
			fn(x)
		}
		return true
	})
}

// closure returns the top-level declarations the roots need, transitively,
// in source order.
func (s *goSource) closure(roots []ast.Node) []ast.Decl {
	seen := map[string]bool{}
	var queue []string
	visit := func(n ast.Node) {
		refs(n, func(id *ast.Ident) {
			if _, ok := s.decls[id.Name]; ok && !seen[id.Name] {
				seen[id.Name] = true
				queue = append(queue, id.Name)
			}
		})
	}
	for _, r := range roots {
		visit(r)
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, d := range s.decls[name] {
			visit(d)
		}
	}
	var out []ast.Decl
	dup := map[ast.Decl]bool{}
	for name := range seen {
		for _, d := range s.decls[name] {
			if !dup[d] {
				dup[d] = true
				out = append(out, d)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pos() < out[j].Pos() })
	return out
}

// qualify prefixes with "tpl." the identifiers of n that the file takes from
// its own package, and records the imports n uses. It edits the names in
// place, so each engine's package is printed from a fresh parse.
func (s *goSource) qualify(n ast.Node, used map[string]bool) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && id.Obj == nil {
				if _, ok := s.imports[id.Name]; ok {
					used[id.Name] = true
					return false
				}
			}
		case *ast.KeyValueExpr:
			// A key that is a plain identifier is a struct field name
			// (the tables have no map keyed by a package-level name).
			if _, ok := x.Key.(*ast.Ident); ok {
				s.qualify(x.Value, used)
				return false
			}
		case *ast.Ident:
			if x.Obj == nil && s.own[x.Name] {
				x.Name = "tpl." + x.Name
			}
		}
		return true
	})
}

// genTable is one generated package: the declarations of a test file that the
// named tables need, and one function per table returning the table's locals.
type genTable struct {
	fn    string   // exported function name in the generated package
	stmts []string // statement source to run, in order
	vars  []string // the locals the function returns by name
}

// generatePackage prints a package named pkg, compiled against the template
// package at engine, holding the declarations that the extracts need. It
// parses path afresh, since qualify edits the tree.
func generatePackage(path, ownPkgDir, pkg, engine string, extract func(*goSource) ([]ast.Node, []genTable, error)) ([]byte, error) {
	s, err := parseGoSource(path, ownPkgDir)
	if err != nil {
		return nil, err
	}
	roots, tables, err := extract(s)
	if err != nil {
		return nil, err
	}
	decls := s.closure(roots)
	used := map[string]bool{}
	for _, d := range decls {
		s.qualify(d, used)
	}
	for _, r := range roots {
		s.qualify(r, used)
	}
	var body bytes.Buffer
	for _, d := range decls {
		if err := goprinter.Fprint(&body, s.fset, d); err != nil {
			return nil, err
		}
		body.WriteString("\n\n")
	}
	// The table functions print their statements from the (now qualified)
	// roots, which extract handed out in the order of the tables.
	ri := 0
	for _, tb := range tables {
		fmt.Fprintf(&body, "func %s() map[string]any {\n", tb.fn)
		for range tb.stmts {
			if err := goprinter.Fprint(&body, s.fset, roots[ri]); err != nil {
				return nil, err
			}
			ri++
			body.WriteString("\n")
		}
		body.WriteString("\treturn map[string]any{")
		for _, v := range tb.vars {
			fmt.Fprintf(&body, "%q: %s, ", v, v)
		}
		body.WriteString("}\n}\n\n")
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "// Code generated by render's differential test from %s; DO NOT EDIT.\n\n", path)
	fmt.Fprintf(&out, "package %s\n\nimport (\n\ttpl %q\n", pkg, engine)
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&out, "\t%s %q\n", n, s.imports[n])
	}
	out.WriteString(")\n\n// The engine may not be needed by every table.\nvar _ = tpl.Must\n\n")
	out.Write(body.Bytes())
	return out.Bytes(), nil
}

// escapeExtract takes TestEscape, TestEscapeSet and TestErrors from
// html/template's escape_test.go.
func escapeExtract(s *goSource) ([]ast.Node, []genTable, error) {
	var roots []ast.Node
	var tables []genTable
	for _, fn := range []string{"TestEscape", "TestEscapeSet", "TestErrors"} {
		stmts, err := s.setupStmts(fn)
		if err != nil {
			return nil, nil, err
		}
		tb := genTable{fn: fn[len("Test"):] + "Table", vars: locals(stmts)}
		for _, st := range stmts {
			roots = append(roots, st)
			tb.stmts = append(tb.stmts, "")
		}
		tables = append(tables, tb)
	}
	return roots, tables, nil
}

// execExtract takes execTests and the functions testExecute gives them from
// text/template's exec_test.go.
func execExtract(s *goSource) ([]ast.Node, []genTable, error) {
	funcs, err := s.assignedStmt("testExecute", "funcs")
	if err != nil {
		return nil, nil, err
	}
	tests := &ast.AssignStmt{Lhs: []ast.Expr{ast.NewIdent("tests")}, Tok: token.DEFINE, Rhs: []ast.Expr{ast.NewIdent("execTests")}}
	if _, ok := s.decls["execTests"]; !ok {
		return nil, nil, fmt.Errorf("exec_test.go: no execTests")
	}
	return []ast.Node{funcs, tests}, []genTable{{fn: "ExecTable", stmts: []string{"", ""}, vars: []string{"funcs", "tests"}}}, nil
}

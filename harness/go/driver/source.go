package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path"
	"sort"
	"strconv"
	"strings"
)

// userFile is the name the user's code has in compiler messages and stack traces.
const userFile = "solution.go"

// lineDirective makes the compiler count the user's code from its own first line.
const lineDirective = "//line " + userFile + ":1:1\n"

// defaultImports are the packages LeetCode-style code uses without importing them. One is
// imported only where the code uses its name and neither imports nor declares it, so an
// unused default never becomes Go's "imported and not used" error.
var defaultImports = []string{
	"bufio", "bytes", "container/heap", "container/list", "errors", "fmt", "math",
	"math/big", "math/bits", "math/rand", "os", "regexp", "sort", "strconv", "strings",
	"sync", "time", "unicode", "unicode/utf8",
}

// leetCodeTypes are declared for the code unless it declares them itself.
var leetCodeTypes = map[string]string{
	"ListNode": "type ListNode struct {\n\tVal  int\n\tNext *ListNode\n}\n",
	"TreeNode": "type TreeNode struct {\n\tVal   int\n\tLeft  *TreeNode\n\tRight *TreeNode\n}\n",
}

// loadError is a problem with the user's code, reported as load_failed.
type loadError struct{ message string }

func (e loadError) Error() string { return e.message }

// sources are the files of the program to build, by name.
type sources map[string][]byte

// prepare turns the job's code into the files to compile: the user's file, given a
// `package main` and the imports it lacks; in function mode also a generated main that
// hands the function to harnessrt.Run.
func prepare(code string, functionName *string, imports []string) (sources, error) {
	fset := token.NewFileSet()
	header := lineDirective
	if _, err := parser.ParseFile(fset, userFile, code, parser.PackageClauseOnly); err != nil {
		header = "package main\n" + lineDirective
	}
	base := header + code
	file, err := parser.ParseFile(fset, userFile, base, 0)
	if err != nil {
		return nil, compilerMessage(base, err)
	}
	edits := []edit{{offset(fset, file.Name.Pos()), offset(fset, file.Name.End()), "main"}}
	analysis := analyze(file)

	specs, err := analysis.importSpecs(imports)
	if err != nil {
		return nil, err
	}
	if len(specs) > 0 {
		// On the package clause's line, so the user's lines keep their numbers.
		end := edits[0].end
		edits = append(edits, edit{end, end, ";import(" + strings.Join(specs, ";") + ")"})
	}
	files := sources{}
	if functionName != nil {
		entry, err := analysis.entry(*functionName)
		if err != nil {
			return nil, err
		}
		files[entryFile] = []byte(entry)
		if analysis.main != nil {
			// The generated main takes the name; `func _` compiles and is never called.
			edits = append(edits, edit{offset(fset, analysis.main.Pos()), offset(fset, analysis.main.End()), "_"})
		}
	}
	files[userFile] = []byte(apply(base, edits))
	return files, nil
}

// analyzed is what the harness needs to know of the user's file.
type analyzed struct {
	file *ast.File
	// imported maps the paths the file imports to the names they bind.
	imported map[string]string
	// declared holds the file's top-level names.
	declared map[string]bool
	// unresolved holds the names used as `name.X` that nothing in the file declares:
	// packages it did not import.
	unresolved map[string]bool
	// main is the name of a top-level `func main`, if any.
	main *ast.Ident
}

func analyze(file *ast.File) analyzed {
	a := analyzed{
		file:       file,
		imported:   map[string]string{},
		declared:   map[string]bool{},
		unresolved: map[string]bool{},
	}
	for _, spec := range file.Imports {
		importPath, _ := strconv.Unquote(spec.Path.Value)
		a.imported[importPath] = boundName(spec.Name, importPath)
	}
	for _, decl := range file.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			if decl.Recv == nil {
				a.declared[decl.Name.Name] = true
				if decl.Name.Name == "main" {
					a.main = decl.Name
				}
			}
		case *ast.GenDecl:
			for _, spec := range decl.Specs {
				switch spec := spec.(type) {
				case *ast.TypeSpec:
					a.declared[spec.Name.Name] = true
				case *ast.ValueSpec:
					for _, name := range spec.Names {
						a.declared[name.Name] = true
					}
				}
			}
		}
	}
	ast.Inspect(file, func(node ast.Node) bool {
		if selector, ok := node.(*ast.SelectorExpr); ok {
			if name, ok := selector.X.(*ast.Ident); ok && name.Obj == nil {
				a.unresolved[name.Name] = true
			}
		}
		return true
	})
	return a
}

// importSpecs are the import specs to add: each one the job asks for that the code does
// not import already (blank where the code does not use it, which Go would reject), then
// each default the code uses.
func (a analyzed) importSpecs(requested []string) ([]string, error) {
	var specs []string
	bound := map[string]bool{}
	for _, name := range a.imported {
		bound[name] = true
	}
	add := func(name, importPath string) {
		specs = append(specs, strings.TrimSpace(name+" "+strconv.Quote(importPath)))
		bound[boundName(&ast.Ident{Name: name}, importPath)] = true
	}
	for _, entry := range requested {
		wanted, err := parseImport(entry)
		if err != nil {
			return nil, err
		}
		for _, spec := range wanted {
			name := ""
			if spec.Name != nil {
				name = spec.Name.Name
			}
			importPath, _ := strconv.Unquote(spec.Path.Value)
			if _, done := a.imported[importPath]; done {
				continue
			}
			switch binds := boundName(spec.Name, importPath); {
			case name == "_" || name == ".":
				add(name, importPath)
			case a.unresolved[binds] && !a.declared[binds] && !bound[binds]:
				add(name, importPath)
			default:
				add("_", importPath)
			}
		}
	}
	for _, importPath := range defaultImports {
		name := path.Base(importPath)
		if _, done := a.imported[importPath]; !done && a.unresolved[name] && !a.declared[name] && !bound[name] {
			add("", importPath)
		}
	}
	return specs, nil
}

// parseImport reads one entry of the job's imports: a package path, quoted or not, or a
// whole import declaration.
func parseImport(entry string) ([]*ast.ImportSpec, error) {
	entry = strings.TrimSpace(entry)
	if !strings.HasPrefix(entry, "import") {
		entry = "import " + strconv.Quote(strings.Trim(entry, "\"`"))
	}
	file, err := parser.ParseFile(token.NewFileSet(), "imports", "package imports\n"+entry, parser.ImportsOnly)
	if err != nil || len(file.Imports) == 0 {
		return nil, loadError{fmt.Sprintf("invalid import %q", entry)}
	}
	return file.Imports, nil
}

// boundName is the name an import binds: its own name, else its path's last element.
func boundName(name *ast.Ident, importPath string) string {
	if name != nil && name.Name != "" {
		return name.Name
	}
	return path.Base(importPath)
}

// entry is the generated main: it passes the function, top-level or a method of a new
// Solution, to harnessrt.Run, and declares the LeetCode types the code does not.
func (a analyzed) entry(functionName string) (string, error) {
	target, err := a.target(functionName)
	if err != nil {
		return "", err
	}
	var entry strings.Builder
	fmt.Fprintf(&entry, "package main\n\nimport harnessrt \"harnessrt\"\n\nfunc main() { harnessrt.Run(%s) }\n", target)
	names := make([]string, 0, len(leetCodeTypes))
	for name := range leetCodeTypes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !a.declared[name] {
			entry.WriteString("\n" + leetCodeTypes[name])
		}
	}
	return entry.String(), nil
}

// target is the Go expression for the function to call: the top-level function, else the
// method of a new Solution.
func (a analyzed) target(functionName string) (string, error) {
	method := ""
	for _, decl := range a.file.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Name.Name != functionName {
			continue
		}
		if fn.Type.TypeParams != nil {
			return "", loadError{fmt.Sprintf(
				"function '%s' is generic: the harness cannot choose its type arguments", functionName)}
		}
		if fn.Recv == nil {
			// main is the generated one, init cannot be referred to.
			if functionName != "main" && functionName != "init" {
				return functionName, nil
			}
		} else if receiverName(fn.Recv) == "Solution" {
			// new(Solution) has the methods of both *Solution and Solution.
			method = "new(Solution)." + functionName
		}
	}
	if method == "" {
		return "", loadError{fmt.Sprintf(
			"function '%s' is not defined: define it at top level or as a method of type Solution",
			functionName)}
	}
	return method, nil
}

func receiverName(receiver *ast.FieldList) string {
	if len(receiver.List) == 0 {
		return ""
	}
	t := receiver.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if name, ok := t.(*ast.Ident); ok {
		return name.Name
	}
	return ""
}

// edit replaces base[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// apply makes the edits, which do not overlap.
func apply(base string, edits []edit) string {
	sorted := append([]edit(nil), edits...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].start > sorted[j].start })
	for _, e := range sorted {
		base = base[:e.start] + e.text + base[e.end:]
	}
	return base
}

func offset(fset *token.FileSet, pos token.Pos) int {
	return fset.Position(pos).Offset
}

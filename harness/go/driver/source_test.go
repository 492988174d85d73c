package main

import (
	"strings"
	"testing"
)

func prepared(t *testing.T, code string, functionName string, imports ...string) sources {
	t.Helper()
	files, err := prepare(code, &functionName, imports)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestCodeWithoutAPackageClauseGetsOneAndKeepsItsLineNumbers(t *testing.T) {
	files := prepared(t, "func f() []string { return strings.Fields(\"a b\") }", "f")
	want := "package main;import(\"strings\")\n" + lineDirective + "func f()"
	if got := string(files[userFile]); !strings.HasPrefix(got, want) {
		t.Errorf("got %q", got)
	}
}

func TestImportsGoOnThePackageLine(t *testing.T) {
	files := prepared(t, "package solution // mine\n\nfunc f() { sort.Ints(nil) }", "f", "os")
	want := lineDirective + "package main;import(_ \"os\";\"sort\") // mine\n"
	if got := string(files[userFile]); !strings.HasPrefix(got, want) {
		t.Errorf("got %q", got)
	}
}

func TestDefaultsAreImportedOnlyWhereUsedAndNotDeclared(t *testing.T) {
	code := "import \"fmt\"\n\nvar math = 1\n\nfunc f(list []int) { fmt.Print(list, math); heap.Init(nil) }"
	files := prepared(t, code, "f")
	if got := string(files[userFile]); !strings.HasPrefix(got, "package main;import(\"container/heap\")\n") {
		t.Errorf("got %q", got)
	}
}

func TestTheFunctionIsFoundAtTopLevelOrOnSolution(t *testing.T) {
	cases := map[string]string{
		"func f() {}": "harnessrt.Run(f)",
		"type Solution struct{}\nfunc (s *Solution) f() {}": "harnessrt.Run(new(Solution).f)",
		"type Solution struct{}\nfunc (Solution) f() {}":    "harnessrt.Run(new(Solution).f)",
	}
	for code, want := range cases {
		if got := string(prepared(t, code, "f")["harness_main.go"]); !strings.Contains(got, want) {
			t.Errorf("%s: got %q", code, got)
		}
	}
	missing := "f"
	if _, err := prepare("func g() {}", &missing, nil); err == nil {
		t.Error("a missing function was found")
	}
}

func TestLeetCodeTypesAreDeclaredUnlessTheCodeDoes(t *testing.T) {
	entry := string(prepared(t, "type TreeNode struct{ Val int }\nfunc f() {}", "f")["harness_main.go"])
	if !strings.Contains(entry, "type ListNode struct") || strings.Contains(entry, "type TreeNode") {
		t.Errorf("got %q", entry)
	}
}

func TestAUserMainStepsAside(t *testing.T) {
	files := prepared(t, "func main() {}\nfunc f() {}", "f")
	if got := string(files[userFile]); !strings.Contains(got, "func _() {}") {
		t.Errorf("got %q", got)
	}
}

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// reservedFileNames are the names a job's file cannot have: the code compiles as
// solution.go in the same directory, the name its messages and stack traces give it.
var reservedFileNames = map[string]bool{userFile: true}

// writeJobFiles writes a program's files into its directory and returns the names of its
// .go files, which compile with the code.
func writeJobFiles(files []jobFile) ([]string, error) {
	if err := checkFileNames(files); err != nil {
		return nil, err
	}
	if err := makeDirs(); err != nil {
		return nil, err
	}
	var goFiles []string
	for _, file := range files {
		// O_EXCL: the directory was made for this job, and nothing in it is followed.
		out, err := os.OpenFile(filepath.Join(codeDir, file.Name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, err
		}
		_, err = out.WriteString(file.Content)
		if closeErr := out.Close(); err == nil {
			err = closeErr
		}
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(file.Name, ".go") {
			goFiles = append(goFiles, file.Name)
		}
	}
	return goFiles, nil
}

// checkFileNames refuses what the worker refuses: names that are not plain file names,
// duplicates and reserved names; so nothing is written outside the code's directory.
func checkFileNames(files []jobFile) error {
	seen := map[string]bool{}
	for _, file := range files {
		name := file.Name
		switch {
		case name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00"):
			return loadError{fmt.Sprintf("a file's name must be a plain file name, not %q", name)}
		case reservedFileNames[name]:
			return loadError{fmt.Sprintf("a file cannot be named %q: the code has that name", name)}
		case seen[name]:
			return loadError{fmt.Sprintf("two files are named %q", name)}
		}
		seen[name] = true
	}
	return nil
}

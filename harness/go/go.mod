module exec-engine/harness/go

go 1.23

throw new Error("a job file was loaded as a built-in");

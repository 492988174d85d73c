inline int offset() { return 2; }

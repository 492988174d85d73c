int unused_helper() { return 0; }

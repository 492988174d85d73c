function repeatA(n) {
  return 'a'.repeat(n);
}

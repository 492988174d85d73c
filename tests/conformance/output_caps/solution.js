function shout(n, m) {
  process.stdout.write('x'.repeat(n));
  process.stderr.write('y'.repeat(m));
  return n;
}

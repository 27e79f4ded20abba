import assert from "node:assert/strict";
import { test } from "node:test";
import { readAll } from "../../src/compiler/reader.js";
import { showDatum } from "../../src/compiler/datum.js";
import { UserInputError } from "../../src/diagnostics.js";

function read(src: string) {
  return readAll(src, "t.scm");
}

test("reads every kind of datum and prints it back in R7RS form", () => {
  const src = `42 -7 #x1F #b101 #t #f #true #\\a #\\space #\\newline #\\x3bb "a\\"b\\n" foo (1 2 . 3) [a b] #(1 #\\x) '(q) \`(a ,b ,@c) ()`;
  const shown = read(src).map(showDatum);
  assert.deepEqual(shown, [
    "42",
    "-7",
    "31",
    "5",
    "#t",
    "#f",
    "#t",
    "#\\a",
    "#\\space",
    "#\\newline",
    "#\\λ",
    '"a\\"b\\n"',
    "foo",
    "(1 2 . 3)",
    "(a b)",
    "#(1 #\\x)",
    "'(q)",
    "`(a ,b ,@c)",
    "()",
  ]);
});

test("every datum knows its line and column, counting characters not bytes", () => {
  const [a, b] = read('"👋👋" x\n  (y\n z)');
  assert.deepEqual([a.loc.line, a.loc.column], [1, 1]);
  assert.equal(b.kind, "symbol");
  assert.deepEqual([b.loc.line, b.loc.column], [1, 6]);
  const list = read("\n\n   (a\n b)")[0];
  assert.equal(list.kind, "list");
  assert.deepEqual([list.loc.line, list.loc.column], [3, 4]);
  if (list.kind === "list") {
    assert.deepEqual([list.items[1].loc.line, list.items[1].loc.column], [4, 2]);
    assert.deepEqual([list.end?.line, list.end?.column], [4, 3]);
  }
});

test("comments: line, nested block and datum comments", () => {
  const shown = read("; line\n#| outer #| inner |# still |# 1 #;(ignored 2) 3 #; 4").map(showDatum);
  assert.deepEqual(shown, ["1", "3"]);
});

test("string escapes", () => {
  const [s] = read('"tab\\there \\x41; \\\\ line\\\n    continued"');
  assert.equal(s.kind === "string" && s.value, "tab\there A \\ linecontinued");
});

function errorOf(src: string): UserInputError {
  try {
    read(src);
  } catch (e) {
    assert.ok(e instanceof UserInputError, `expected a UserInputError, got ${String(e)}`);
    return e;
  }
  assert.fail("expected an error");
}

test("syntax errors name file, line and column and show the line", () => {
  const e = errorOf('(display "hi")\n(car (cdr x)');
  assert.equal(e.location?.line, 2);
  assert.equal(e.location?.column, 1);
  assert.match(e.format(), /^t\.scm:2:1: error: unclosed '\('/);
  assert.match(e.format(), /\n {2}\(car \(cdr x\)\n {2}\^$/);
  assert.match(errorOf("(a ]").format(), /t\.scm:1:4: error: '\(' closed by '\]'/);
  assert.match(errorOf(")").format(), /t\.scm:1:1: error: unexpected '\)'/);
  assert.match(errorOf('"abc').format(), /unterminated string/);
  assert.match(errorOf("#\\bogus").format(), /unknown character name/);
  assert.match(errorOf("1.5").format(), /only integers/);
  assert.match(errorOf("(1 . )").format(), /t\.scm:1:6/);
  assert.match(errorOf('"\\q"').format(), /unknown string escape/);
});

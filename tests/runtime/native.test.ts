/**
 * runtime-rs runs natively: hand-written `scheme_entry` assembly, linked by gcc with the
 * committed archive (`gcc -nostdlib -static entry.s libabi_runtime.a`), run as a real process.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as L from "../../src/values/layout.js";
import {
  DataBuilder,
  type Datum,
  fixnum,
  linkAndRun,
  load,
  nativeSkipReason,
  program,
  tempDir,
} from "./native-support.js";

const skip = nativeSkipReason();
const hex = (n: number) => `0x${n.toString(16)}`;

/** Body code: rbx = the current output port. */
const OUT = "    call rt_current_output_port\n    mov rbx, rax\n";
/** Body code: `call fn` with rdi = operand and rsi = rbx (the output port). */
const toOut = (fn: string, operand: string) => `${load("rdi", operand)}\n    mov rsi, rbx\n    call ${fn}\n`;
const newline = "    mov rdi, rbx\n    call rt_newline\n";
/** Body code: write (rax) then a newline. */
const writeRax = "    mov rdi, rax\n    mov rsi, rbx\n    call rt_write\n" + newline;
const returnUnspecified = `    mov eax, ${hex(L.UNSPECIFIED)}\n`;

void describe("runtime-rs natively", { skip }, () => {
  void test("scheme_entry's fixnum result is written with a newline, exit status 0", () => {
    const r = linkAndRun(program(`    mov rax, ${fixnum(42)}`));
    assert.equal(r.stderr, "");
    assert.equal(r.stdout.toString(), "42\n");
    assert.equal(r.status, 0);
  });

  void test("an unspecified result prints nothing", () => {
    const r = linkAndRun(program(returnUnspecified));
    assert.equal(r.stdout.toString(), "");
    assert.equal(r.status, 0);
  });

  void test("scheme_entry gets a 64 MiB heap in rdi..rsi and a 16-byte aligned stack", () => {
    const body = `
    mov qword ptr [rdi], 1
    mov qword ptr [rsi - 8], 1
    test rbp, 15
    jnz 1f
    mov rax, rsi
    sub rax, rdi
    shl rax, 3
    jmp 2f
1:  mov eax, ${hex(L.FALSE)}
2:`;
    const r = linkAndRun(program(body));
    assert.equal(r.stdout.toString(), `${64 * 1024 * 1024}\n`);
  });

  void test("writeln displays a string and a newline on the current output port", () => {
    const d = new DataBuilder();
    const hello = d.operand("Hello !!con 👋");
    const r = linkAndRun(program(OUT + toOut("writeln", hello) + returnUnspecified, d.text()));
    assert.equal(r.stdout.toString("utf8"), "Hello !!con 👋\n");
    assert.equal(r.status, 0);
  });

  void test('the talk\'s demo: writeln to (open-output-file ".../inc/io.txt") creates the directories', () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "inc", "deeper", "io.txt");
      const d = new DataBuilder();
      const body = `${load("rdi", d.operand(path))}
    call rt_open_output_file
    mov r12, rax
${load("rdi", d.operand("Hello !!con 👋"))}
    mov rsi, r12
    call writeln
${load("rdi", d.operand(["data", 1, { char: "c" }]))}
    mov rsi, r12
    call writeln
    mov rax, r12`;
      const r = linkAndRun(program(body, d.text()));
      assert.equal(r.stderr, "");
      assert.equal(r.status, 0);
      // The result is the port; the file is flushed at exit without an explicit close.
      assert.equal(r.stdout.toString(), `#<output port ${path}>\n`);
      assert.equal(readFileSync(path, "utf8"), "Hello !!con 👋\n(data 1 c)\n");
    } finally {
      cleanup();
    }
  });

  void test("a type error keeps earlier output, prints one line on stderr and exits 1", () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "partial.txt");
      const d = new DataBuilder();
      const body = `${OUT}${toOut("rt_display", d.operand("before the error"))}
${load("rdi", d.operand(path))}
    call rt_open_output_file
    mov rsi, rax
${load("rdi", d.operand("kept in the file"))}
    call rt_display
    lea rdi, [rip + ${d.cstring("car")}]
    lea rsi, [rip + ${d.cstring("a pair")}]
    mov edx, ${fixnum(1)}
    call rt_type_error
    ud2`;
      const r = linkAndRun(program(body, d.text()));
      assert.equal(r.stdout.toString(), "before the error");
      assert.equal(r.stderr, "Error in car: expected a pair, got 1\n");
      assert.equal(r.status, 1);
      assert.equal(readFileSync(path, "utf8"), "kept in the file");
    } finally {
      cleanup();
    }
  });

  void test("every kind of value prints as R7RS write and display", () => {
    const cases: [Datum, string, string][] = [
      [0, "0", "0"],
      [-42, "-42", "-42"],
      [L.FIXNUM_MAX, String(L.FIXNUM_MAX), String(L.FIXNUM_MAX)],
      [L.FIXNUM_MIN, String(L.FIXNUM_MIN), String(L.FIXNUM_MIN)],
      [true, "#t", "#t"],
      [false, "#f", "#f"],
      [{ char: "a" }, "#\\a", "a"],
      [{ char: " " }, "#\\space", " "],
      [{ char: "\n" }, "#\\newline", "\n"],
      [{ char: "\t" }, "#\\tab", "\t"],
      [{ char: 0 }, "#\\nul", "\0"],
      [{ char: 1 }, "#\\x1", "\x01"],
      [{ char: 0x1b }, "#\\esc", "\x1b"],
      [{ char: 0x7f }, "#\\delete", "\x7f"],
      [{ char: 0x3bb }, "#\\λ", "λ"],
      [{ char: 0x1f44b }, "#\\👋", "👋"],
      [{ char: 0x85 }, "#\\x85", "\u0085"],
      [
        'a "quoted" string\twith a tab',
        '"a \\"quoted\\" string\\twith a tab"',
        'a "quoted" string\twith a tab',
      ],
      [
        "back\\slash\nnew line\r\x07\x00",
        '"back\\\\slash\\nnew line\\r\\a\\x0;"',
        "back\\slash\nnew line\r\x07\x00",
      ],
      ["Hello !!con 👋", '"Hello !!con 👋"', "Hello !!con 👋"],
      ["", '""', ""],
      [null, "()", "()"],
      [{ symbol: "symbol" }, "symbol", "symbol"],
      [{ symbol: "hello world" }, "hello\\x20;world", "hello world"],
      [{ symbol: "" }, "||", ""],
      [{ symbol: "1+" }, "\\x31;+", "1+"],
      [{ symbol: "->x" }, "->x", "->x"],
      [{ symbol: "λ" }, "λ", "λ"],
      [[1, 2, 3], "(1 2 3)", "(1 2 3)"],
      [{ dotted: [1], tail: 2 }, "(1 . 2)", "(1 . 2)"],
      [{ dotted: [1, 2], tail: 3 }, "(1 2 . 3)", "(1 2 . 3)"],
      [[{ symbol: "a" }, [{ symbol: "b" }, "c"], { char: "d" }], '(a (b "c") #\\d)', "(a (b c) d)"],
      [[{ symbol: "quote" }, { symbol: "x" }], "(quote x)", "(quote x)"],
      [{ vector: [1, { symbol: "two" }, "three"] }, '#(1 two "three")', "#(1 two three)"],
      [{ vector: [] }, "#()", "#()"],
      [{ vector: [[1, { vector: [null] }]] }, "#((1 #(())))", "#((1 #(())))"],
      [[{ raw: BigInt(L.UNSPECIFIED) }], "(#<void>)", "(#<void>)"],
      [{ raw: BigInt(L.EOF) }, "#<eof>", "#<eof>"],
      [{ raw: BigInt(L.UNBOUND) }, "#<unbound>", "#<unbound>"],
      [{ closure: true }, "#<procedure>", "#<procedure>"],
      [{ cycle: [1, 2] }, "#0=(1 2 . #0#)", "#0=(1 2 . #0#)"],
      [{ raw: 0x24n }, "#<invalid 0x24>", "#<invalid 0x24>"],
    ];
    const d = new DataBuilder();
    const space = d.operand(" ");
    let body = OUT;
    for (const [datum] of cases) {
      const op = d.operand(datum);
      body += toOut("rt_write", op) + toOut("rt_display", space) + toOut("rt_display", op) + newline;
    }
    // The standard ports.
    for (const port of ["rt_current_output_port", "rt_current_input_port", "rt_current_error_port"])
      body += `    call ${port}\n` + writeRax;
    const r = linkAndRun(program(body + returnUnspecified, d.text()));
    assert.equal(r.stderr, "");
    const expected =
      cases.map(([, w, dsp]) => `${w} ${dsp}\n`).join("") +
      "#<output port stdout>\n#<input port stdin>\n#<output port stderr>\n";
    assert.equal(r.stdout.toString("utf8"), expected);
  });

  void test("output longer than a port buffer is written in order", () => {
    const d = new DataBuilder();
    const long = "0123456789abcdef".repeat(700) + "λ";
    let body = OUT;
    for (let i = 0; i < 3; i++) body += toOut("rt_display", d.operand(long));
    const r = linkAndRun(program(body + returnUnspecified, d.text()));
    assert.equal(r.stdout.toString("utf8"), long.repeat(3));
  });

  void test("current-error-port writes to stderr, after stdout", () => {
    const d = new DataBuilder();
    const body = `${OUT}${toOut("rt_display", d.operand("out "))}
    call rt_current_error_port
    mov rsi, rax
${load("rdi", d.operand("err"))}
    call writeln
`;
    const r = linkAndRun(program(body + returnUnspecified, d.text()));
    assert.equal(r.stdout.toString(), "out ");
    assert.equal(r.stderr, "err\n");
  });

  void test("rt_error, rt_arity_error, rt_not_procedure and rt_heap_exhausted messages", () => {
    const d = new DataBuilder();
    const call3 = (fn: string, a: Datum, b: Datum, c: Datum) =>
      program(
        `${OUT}${toOut("rt_display", d.operand("out"))}${load("rdi", d.operand(a))}
${load("rsi", d.operand(b))}
${load("rdx", d.operand(c))}
    call ${fn}
    ud2`,
        d.text(),
      );
    const cases: [string, string][] = [
      [
        call3("rt_error", { symbol: "foo" }, "bad thing:", [1, "two", { char: "3" }]),
        'Error in foo: bad thing: 1 "two" #\\3',
      ],
      [call3("rt_error", false, "bad thing", [1]), "Error: bad thing 1"],
      [call3("rt_error", "message first", 42, [{ symbol: "x" }]), "Error: message first 42 x"],
      [call3("rt_error", { symbol: "who" }, { raw: BigInt(L.UNSPECIFIED) }, null), "Error in who"],
      [call3("rt_arity_error", "fib", 2, 1), "Error in fib: expected 2 arguments, got 1"],
      [call3("rt_arity_error", "f", -2, 0), "Error in f: expected at least 1 argument, got 0"],
      [call3("rt_not_procedure", 5, 0, 0), "Error: attempt to apply non-procedure 5"],
      [call3("rt_heap_exhausted", 0, 0, 0), "Error: heap exhausted"],
    ];
    for (const [source, message] of cases) {
      const r = linkAndRun(source);
      assert.equal(r.stdout.toString(), "out");
      assert.equal(r.stderr, `${message}\n`);
      assert.equal(r.status, 1);
    }
  });

  void test("errors from runtime primitives name the primitive", () => {
    const { dir, cleanup } = tempDir();
    try {
      const d = new DataBuilder();
      const file = join(dir, "x.txt");
      writeFileSync(join(dir, "plain"), "");
      const run = (body: string) => linkAndRun(program(body, d.text()));
      const cases: [string, string][] = [
        [
          `${load("rdi", d.operand("abc"))}\n${load("rsi", d.operand(2))}\n${load("rdx", d.operand(1))}\n    call rt_substring`,
          'Error in substring: start index 2 is out of range for "abc"',
        ],
        [
          `${load("rdi", d.operand("abc"))}\n${load("rsi", d.operand(0))}\n${load("rdx", d.operand(4))}\n    call rt_substring`,
          'Error in substring: end index 4 is out of range for "abc"',
        ],
        [
          `    call rt_current_input_port\n    mov rsi, rax\n${load("rdi", d.operand(1))}\n    call rt_display`,
          "Error in display: expected an output port, got #<input port stdin>",
        ],
        [
          `${load("rdi", d.operand(1))}\n    call rt_current_output_port\n    mov rdi, rax\n    call rt_read_char`,
          "Error in read-char: expected an input port, got #<output port stdout>",
        ],
        [
          `${load("rdi", d.operand(7))}\n    call rt_string_to_symbol`,
          "Error in string->symbol: expected a string, got 7",
        ],
        [
          `${load("rdi", d.operand(file))}\n    call rt_open_output_file\n    mov rbx, rax\n    mov rdi, rax\n    call rt_close_port\n    mov rdi, rbx\n    call rt_close_port\n    mov rdi, rbx\n    call rt_newline`,
          `Error in newline: not permitted on closed port #<output port ${file}>`,
        ],
        [
          `${load("rdi", d.operand(join(dir, "missing.txt")))}\n    call rt_open_input_file`,
          `Error in open-input-file: cannot open "${join(dir, "missing.txt")}": no such file or directory`,
        ],
        [
          `${load("rdi", d.operand(join(dir, "plain", "x")))}\n    call rt_open_output_file`,
          `Error in open-output-file: cannot open "${join(dir, "plain", "x")}": not a directory`,
        ],
        [
          `    mov r12, 62\n1:\n${load("rdi", d.operand(file))}\n    call rt_open_output_file\n    dec r12\n    jnz 1b`,
          `Error in open-output-file: too many open ports "${file}"`,
        ],
      ];
      for (const [body, message] of cases) {
        const r = run(body + "\n    ud2");
        assert.equal(r.stderr, `${message}\n`);
        assert.equal(r.status, 1);
      }
    } finally {
      cleanup();
    }
  });

  void test("rt_exit flushes the ports and exits with the status R7RS asks for", () => {
    const d = new DataBuilder();
    for (const [code, status] of [
      [3, 3],
      [true, 0],
      [false, 1],
      [0, 0],
    ] as [Datum, number][]) {
      const body = `${OUT}${toOut("rt_display", d.operand("bye"))}${load("rdi", d.operand(code))}\n    call rt_exit\n    ud2`;
      const r = linkAndRun(program(body, d.text()));
      assert.equal(r.stdout.toString(), "bye");
      assert.equal(r.status, status);
    }
  });

  /** Body: reads every char of the port in rax (peeking first), writing each; then eof twice. */
  const readAll = `
    mov r12, rax
    call rt_current_output_port
    mov rbx, rax
    mov rdi, r12
    call rt_peek_char
${writeRax.trimEnd()}
1:  mov rdi, r12
    call rt_read_char
    cmp rax, ${hex(L.EOF)}
    je 2f
    mov rdi, rax
    mov rsi, rbx
    call rt_write
    jmp 1b
2:  mov rdi, rax
    mov rsi, rbx
    call rt_write
    mov rdi, r12
    call rt_peek_char
    mov rdi, rax
    mov rsi, rbx
    call rt_write
    mov rdi, r12
    call rt_close_port
${returnUnspecified}`;

  void test("read-char and peek-char decode UTF-8 from a file, then return the eof object", () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, "in.txt");
      writeFileSync(path, Buffer.concat([Buffer.from("aλ👋\n"), Buffer.from([0xff]), Buffer.from("z")]));
      const d = new DataBuilder();
      const r = linkAndRun(
        program(`${load("rdi", d.operand(path))}\n    call rt_open_input_file${readAll}`, d.text()),
      );
      assert.equal(r.stderr, "");
      assert.equal(r.stdout.toString("utf8"), "#\\a\n#\\a#\\λ#\\👋#\\newline#\\\ufffd#\\z#<eof>#<eof>");
    } finally {
      cleanup();
    }
  });

  void test("read-char reads stdin, across buffer refills, splitting no character", () => {
    const r = linkAndRun(program(`    call rt_current_input_port${readAll}`), { stdin: "hi\n" });
    assert.equal(r.stdout.toString(), "#\\h\n#\\h#\\i#\\newline#<eof>#<eof>");

    // 3001 chars, 6001 bytes: the 4 KiB buffer ends in the middle of a λ.
    const count = `
    call rt_current_input_port
    mov rbx, rax
    xor r12d, r12d
1:  mov rdi, rbx
    call rt_read_char
    cmp rax, ${hex(L.EOF)}
    je 2f
    cmp rax, ${hex((0x3bb << L.CHAR_SHIFT) | L.Tag.char)}
    jne 3f
    add r12, 8
    jmp 1b
2:  mov rax, r12
    jmp 4f
3:  mov eax, ${hex(L.FALSE)}
4:`;
    const big = linkAndRun(program(count), { stdin: "λ".repeat(3000) + "!" });
    assert.equal(big.stdout.toString(), "#f\n");
    const exact = linkAndRun(program(count), { stdin: "λ".repeat(3000) });
    assert.equal(exact.stdout.toString(), "3000\n");
  });

  void test("strings and symbols: interning, symbol->string, string-append, substring, make-string, equal?", () => {
    const d = new DataBuilder();
    const staticSym = d.operand({ symbol: "static" });
    const body = `${OUT}
${load("rdi", d.operand("abc"))}
    call rt_string_to_symbol
    mov r12, rax
${load("rdi", d.operand("abc"))}
    call rt_string_to_symbol
    cmp rax, r12
    sete al
    movzx eax, al
    shl eax, ${L.BOOL_BIT}
    or eax, ${L.FALSE}
${writeRax}
    mov rdi, r12
    call rt_symbol_to_string
${writeRax}
    mov rax, r12
${writeRax}
${load("rdi", staticSym)}
    call rt_intern_symbol
${load("rdi", d.operand("static"))}
    call rt_string_to_symbol
${load("rcx", staticSym)}
    cmp rax, rcx
    sete al
    movzx eax, al
    shl eax, ${L.BOOL_BIT}
    or eax, ${L.FALSE}
${writeRax}
${load("rdi", d.operand("foo"))}
${load("rsi", d.operand("bar👋"))}
    call rt_string_append
${writeRax}
${load("rdi", d.operand("hello"))}
${load("rsi", d.operand(1))}
${load("rdx", d.operand(3))}
    call rt_substring
${writeRax}
${load("rdi", d.operand(3))}
${load("rsi", d.operand({ char: "z" }))}
    call rt_make_string
${writeRax}
${load("rdi", d.operand(2))}
    mov esi, ${hex(L.UNSPECIFIED)}
    call rt_make_string
${writeRax}
${load("rdi", d.operand([1, "x", { vector: [{ char: "c" }, [2]] }]))}
${load("rsi", d.operand([1, "x", { vector: [{ char: "c" }, [2]] }]))}
    call rt_equal
${writeRax}
${load("rdi", d.operand({ vector: [1, 2] }))}
${load("rsi", d.operand({ vector: [1, 3] }))}
    call rt_equal
${writeRax}
${load("rdi", d.operand({ symbol: "s" }))}
${load("rsi", d.operand({ symbol: "s" }))}
    call rt_equal
${writeRax}
${load("rdi", d.operand("abc"))}
${load("rsi", d.operand("abd"))}
    call rt_equal
${writeRax}
${returnUnspecified}`;
    const r = linkAndRun(program(body, d.text()));
    assert.equal(r.stderr, "");
    assert.equal(
      r.stdout.toString("utf8"),
      [
        "#t",
        '"abc"',
        "abc",
        "#t",
        '"foobar👋"',
        '"el"',
        '"zzz"',
        '"\\x0;\\x0;"',
        "#t",
        "#f",
        "#t",
        "#f",
        "",
      ].join("\n"),
    );
  });

  void test("the C-typed functions for foreign procedures", () => {
    const d = new DataBuilder();
    const utf8 = d.cstring("aλ👋");
    const body = `${OUT}
    mov rdi, 40
    mov rsi, 2
    call rt_add_i64
    shl rax, ${L.FIXNUM_SHIFT}
${writeRax}
    mov edi, 'a'
    call rt_char_upcase
    shl rax, ${L.CHAR_SHIFT}
    or rax, ${L.Tag.char}
${writeRax}
    lea rdi, [rip + ${utf8}]
    mov esi, 7
    call rt_string_length_utf8
    shl rax, ${L.FIXNUM_SHIFT}
${writeRax}
${toOut("rt_display", d.operand("1"))}
    mov edi, 1
    lea rsi, [rip + ${d.cstring("2")}]
    mov edx, 1
    call rt_write_bytes
    mov r12, rax
${toOut("rt_display", d.operand("3"))}
    mov rax, r12
    shl rax, ${L.FIXNUM_SHIFT}
${writeRax}
    sub rsp, 16
${load("rdi", d.operand("é👋!"))}
    mov rsi, rsp
    call rt_string_to_utf8
    mov edi, 1
    mov rsi, rax
    mov rdx, qword ptr [rsp]
    add rsp, 16
    call rt_write_bytes
${returnUnspecified}`;
    const r = linkAndRun(program(body, d.text()));
    assert.equal(r.stderr, "");
    assert.equal(r.stdout.toString("utf8"), "42\n#\\A\n3\n1231\né👋!");
  });

  void test("rt_command_line lists argv as strings", () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = linkAndRun(program("    call rt_command_line"), { dir, args: ["x", "λ y"] });
      assert.equal(r.stdout.toString("utf8"), `("${join(dir, "prog")}" "x" "λ y")\n`);
    } finally {
      cleanup();
    }
  });

  void test("chars, strings and symbols are written exactly as Chez Scheme writes them", (t) => {
    if (spawnSync("scheme", ["--version"]).status !== 0) {
      t.skip("Chez Scheme (scheme) is not installed");
      return;
    }
    const codes = [
      ...Array(256).keys(),
      0x3bb,
      0x1f44b,
      0x2028,
      0x2029,
      0xfeff,
      0x200b,
      0xe000,
      0x10ffff,
      0x300,
    ];
    const names = ["abc", "", "A", "1", "a b", "#foo", "a|b", ".", "+", "-", "...", "->x", "-a", "+a", "1+"];
    names.push("a#", "@a", "a@", "..", "λ", "a,b", "a'b", "a(b", "+1", "-1", "+.", "x\u0085", "a;b", "a\tb");
    const scheme = [
      `(for-each (lambda (i) (write (integer->char i)) (newline)) '(${codes.join(" ")}))`,
      `(write (list->string (map integer->char '(${codes.filter((c) => c !== 0x20).join(" ")})))) (newline)`,
      `(for-each (lambda (s) (write (string->symbol s)) (newline)) (list ${names
        .map((n) => `(list->string (map integer->char '(${[...n].map((c) => c.codePointAt(0)).join(" ")})))`)
        .join(" ")}))`,
    ].join("\n");
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, "oracle.ss"), scheme);
      const chez = spawnSync("scheme", ["--script", join(dir, "oracle.ss")]);
      assert.equal(chez.status, 0, chez.stderr.toString());

      const d = new DataBuilder();
      let body = OUT;
      for (const c of codes) body += toOut("rt_write", d.operand({ char: c })) + newline;
      body +=
        toOut("rt_write", d.operand(String.fromCodePoint(...codes.filter((c) => c !== 0x20)))) + newline;
      for (const n of names) body += toOut("rt_write", d.operand({ symbol: n })) + newline;
      mkdirSync(join(dir, "build"));
      const ours = linkAndRun(program(body + returnUnspecified, d.text()), { dir: join(dir, "build") });
      const expected = chez.stdout.toString("utf8").split("\n");
      const actual = ours.stdout.toString("utf8").split("\n");
      assert.equal(actual.length, expected.length);
      actual.forEach((line, i) => assert.equal(line, expected[i], `line ${i + 1}`));
    } finally {
      cleanup();
    }
  });
});

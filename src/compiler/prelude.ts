import { PRIMITIVES } from "./primitives.js";

/**
 * Library procedures written in the Scheme itself. The compiler includes a definition only
 * when the program uses it (and what it uses in turn), so small programs stay small.
 * `%prim:NAME` is the procedure value of a primitive used as a value, e.g. `(map car xs)`.
 */
const PRELUDE = `
(define (length lst)
  (let loop ((l lst) (n 0))
    (cond ((null? l) n)
          ((pair? l) (loop (cdr l) (+ n 1)))
          (else (error 'length "not a proper list:" lst)))))
(define (reverse lst)
  (let loop ((l lst) (acc '()))
    (if (null? l) acc (loop (cdr l) (cons (car l) acc)))))
(define (%append2 a b)
  (if (null? a) b (cons (car a) (%append2 (cdr a) b))))
(define (append . lists)
  (cond ((null? lists) '())
        ((null? (cdr lists)) (car lists))
        (else (%append2 (car lists) (apply append (cdr lists))))))
(define (list-tail lst k)
  (if (= k 0) lst (list-tail (cdr lst) (- k 1))))
(define (list-ref lst k) (car (list-tail lst k)))
(define (memq x lst)
  (cond ((null? lst) #f) ((eq? x (car lst)) lst) (else (memq x (cdr lst)))))
(define (memv x lst)
  (cond ((null? lst) #f) ((eqv? x (car lst)) lst) (else (memv x (cdr lst)))))
(define (member x lst)
  (cond ((null? lst) #f) ((equal? x (car lst)) lst) (else (member x (cdr lst)))))
(define (assq x alist)
  (cond ((null? alist) #f) ((eq? x (car (car alist))) (car alist)) (else (assq x (cdr alist)))))
(define (assv x alist)
  (cond ((null? alist) #f) ((eqv? x (car (car alist))) (car alist)) (else (assv x (cdr alist)))))
(define (assoc x alist)
  (cond ((null? alist) #f) ((equal? x (car (car alist))) (car alist)) (else (assoc x (cdr alist)))))
(define (%map1 f lst)
  (if (null? lst) '() (let ((v (f (car lst)))) (cons v (%map1 f (cdr lst))))))
(define (%cars lists)
  (if (null? lists) '() (cons (car (car lists)) (%cars (cdr lists)))))
(define (%cdrs lists)
  (if (null? lists) '() (cons (cdr (car lists)) (%cdrs (cdr lists)))))
(define (%any-null? lists)
  (cond ((null? lists) #f) ((null? (car lists)) #t) (else (%any-null? (cdr lists)))))
(define (map f lst . more)
  (if (null? more)
      (%map1 f lst)
      (let loop ((lists (cons lst more)))
        (if (%any-null? lists)
            '()
            (let ((v (apply f (%cars lists)))) (cons v (loop (%cdrs lists))))))))
(define (for-each f lst . more)
  (if (null? more)
      (let loop ((l lst)) (if (null? l) (if #f #f) (begin (f (car l)) (loop (cdr l)))))
      (let loop ((lists (cons lst more)))
        (if (%any-null? lists) (if #f #f) (begin (apply f (%cars lists)) (loop (%cdrs lists)))))))
(define (list->vector lst)
  (let ((v (make-vector (length lst))))
    (let loop ((l lst) (i 0))
      (if (null? l) v (begin (vector-set! v i (car l)) (loop (cdr l) (+ i 1)))))))
(define (vector->list v)
  (let loop ((i (- (vector-length v) 1)) (acc '()))
    (if (< i 0) acc (loop (- i 1) (cons (vector-ref v i) acc)))))
(define (string->list s)
  (let loop ((i (- (string-length s) 1)) (acc '()))
    (if (< i 0) acc (loop (- i 1) (cons (string-ref s i) acc)))))
(define (list->string lst)
  (let ((s (make-string (length lst))))
    (let loop ((l lst) (i 0))
      (if (null? l) s (begin (string-set! s i (car l)) (loop (cdr l) (+ i 1)))))))
(define (string . chars) (list->string chars))
(define (string=? a b) (equal? a b))
(define (%prim:+ . xs)
  (let loop ((xs xs) (acc 0)) (if (null? xs) acc (loop (cdr xs) (+ acc (car xs))))))
(define (%prim:* . xs)
  (let loop ((xs xs) (acc 1)) (if (null? xs) acc (loop (cdr xs) (* acc (car xs))))))
(define (%prim:- x . xs)
  (if (null? xs) (- x) (let loop ((acc x) (xs xs)) (if (null? xs) acc (loop (- acc (car xs)) (cdr xs))))))
(define (%compare ok? x xs)
  (cond ((null? xs) #t) ((ok? x (car xs)) (%compare ok? (car xs) (cdr xs))) (else #f)))
(define (%prim:= x . xs) (%compare (lambda (a b) (= a b)) x xs))
(define (%prim:< x . xs) (%compare (lambda (a b) (< a b)) x xs))
(define (%prim:<= x . xs) (%compare (lambda (a b) (<= a b)) x xs))
(define (%prim:> x . xs) (%compare (lambda (a b) (> a b)) x xs))
(define (%prim:>= x . xs) (%compare (lambda (a b) (>= a b)) x xs))
(define (%prim:list . xs) xs)
(define (%prim:vector . xs) (list->vector xs))
(define (%prim:string-append . xs)
  (let loop ((xs xs) (acc "")) (if (null? xs) acc (loop (cdr xs) (string-append acc (car xs))))))
(define (%prim:error who . rest)
  (if (null? rest) (error who) (foreign-call "rt_error" who (car rest) (cdr rest))))
`;

/** Names the prelude defines by hand (the rest of `%prim:` wrappers are generated). */
export const PRELUDE_SOURCE = PRELUDE + generatedWrappers();

function generatedWrappers(): string {
  const handWritten = new Set([...PRELUDE.matchAll(/\(define \((%prim:[^ )]+)/g)].map((m) => m[1]));
  let out = "";
  for (const [name, info] of Object.entries(PRIMITIVES)) {
    const wrapper = `%prim:${name}`;
    if (handWritten.has(wrapper) || info.max === Infinity) continue;
    const fixed = Array.from({ length: info.min }, (_, i) => `a${i}`);
    if (info.min === info.max) {
      out += `(define (${wrapper} ${fixed.join(" ")}) (${name} ${fixed.join(" ")}))\n`;
      continue;
    }
    // Optional arguments: dispatch on how many came.
    let body = `(${name} ${fixed.join(" ")} ${Array.from({ length: info.max - info.min }, (_, i) => `(list-ref rest ${i})`).join(" ")})`;
    for (let k = info.max - info.min - 1; k >= 0; k--) {
      const given = Array.from({ length: k }, (_, i) => `(list-ref rest ${i})`).join(" ");
      body = `(if (= (length rest) ${k}) (${name} ${fixed.join(" ")} ${given}) ${body})`;
    }
    out += `(define (${wrapper} ${fixed.join(" ")} . rest) ${body})\n`;
  }
  return out;
}

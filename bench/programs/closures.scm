;; Closure- and allocation-heavy: a list of adders, mapped and folded, many times.
(define (make-adder k) (lambda (x) (+ x k)))
(define (build n acc) (if (= n 0) acc (build (- n 1) (cons (make-adder n) acc))))
(define (apply-all fs x) (if (null? fs) x (apply-all (cdr fs) ((car fs) x))))
(define (repeat n total)
  (if (= n 0)
      total
      (repeat (- n 1) (+ total (apply-all (build 200 '()) 0)))))
(repeat 2000 0)

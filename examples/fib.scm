;; Doubly recursive Fibonacci: many Scheme-to-Scheme calls, each following the Scheme convention.
(define (fib n)
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(fib 20)

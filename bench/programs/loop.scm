;; A tail-recursive loop of 10^7 iterations: constant stack.
(define (loop i acc)
  (if (= i 10000000)
      acc
      (loop (+ i 1) (+ acc i))))
(loop 0 0)

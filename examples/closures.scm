;; Closures capture variables; set! on a captured variable goes through a heap box.
(define (make-counter)
  (let ((count 0))
    (lambda ()
      (set! count (+ count 1))
      count)))

(define tick (make-counter))
(tick)
(tick)
(display "the counter says ")
(display (tick))
(newline)

(define (compose . fs)
  (if (null? fs)
      (lambda (x) x)
      (lambda (x) ((car fs) ((apply compose (cdr fs)) x)))))

(display ((compose (lambda (x) (* x 2)) (lambda (x) (+ x 1))) 20))
(newline)
(map (lambda (x) (* x x)) '(1 2 3 4))

; expect: wrong-result
; Declares int for a character: the translation layer refuses a character where an integer is due.
(define-foreign char-upcase* "rt_char_upcase" (int) int)

(define (shout s)
  (list->string (map (lambda (c) (char-upcase* c)) (string->list s))))

; expect: wrong-result
; Declares the C function on tagged values: it sees (code << 3 | 2), never a letter.
(define-foreign char-upcase* "rt_char_upcase" (value) value)

(define (shout s)
  (list->string (map (lambda (c) (char-upcase* c)) (string->list s))))

;; The C function takes and returns a code point: `char` untags a Scheme character into one,
;; and tags the result back into a character.
(define-foreign char-upcase* "rt_char_upcase" (char) char)

(define (shout s)
  (list->string (map (lambda (c) (char-upcase* c)) (string->list s))))

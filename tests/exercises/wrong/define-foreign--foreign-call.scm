; expect: wrong-result
; Calls the C function the "same representation" way: foreign-call passes the tagged character
; as it is, and rt_char_upcase sees (code << 3 | 2), never a letter.
(define (shout s)
  (list->string (map (lambda (c) (foreign-call "rt_char_upcase" c)) (string->list s))))

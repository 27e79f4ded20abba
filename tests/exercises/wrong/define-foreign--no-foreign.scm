; expect: calls rt_char_upcase
; Does the arithmetic in Scheme and never calls the runtime; also upcases what is not a letter.
(define (shout s)
  (list->string
   (map (lambda (c)
          (if (char<? c #\a) c (integer->char (- (char->integer c) 32))))
        (string->list s))))

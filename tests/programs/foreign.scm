;; Two ways for Scheme to call Rust, side by side (the talk's table).
;; Compare them with:  abi-lab compile examples/foreign.scm -S

;; 1. Same runtime representation: runtime-rs understands tagged Scheme values,
;;    so the call passes them as they are, in rdi and rsi.
(writeln "1. same representation: writeln(data, port) takes tagged values" (current-output-port))

;; The paper's form: call any runtime function by name with tagged values.
(foreign-call "rt_display" "   (foreign-call \"rt_display\" ...) works the same way\n" (current-output-port))

;; 2. Translation layer: these are plain C functions. The compiler generates the code
;;    that untags each argument into its C type, makes the call, and tags the result.
(define-foreign rt-write-bytes (int string-bytes) ssize)    ; fd, then pointer + byte length
(define-foreign rt-add-i64 (long long) long)
(define-foreign rt-string-length-utf8 (string-bytes) size)
(define-foreign rt-char-upcase (char) char)

(define message "2. translation layer: C types, converted at the border 👋\n")
(display "   bytes written: ")
(flush-output-port)
(display (rt-write-bytes 1 message))
(newline)
(display "   characters in the message: ")
(display (rt-string-length-utf8 message))
(newline)
(display "   (rt-add-i64 40 2) = ")
(display (rt-add-i64 40 2))
(newline)
(display "   (rt-char-upcase #\\a) = ")
(write (rt-char-upcase #\a))
(newline)

(writeln "Hello !!con 👋" (open-output-file "/tmp/inc/io.txt"))

;; The example from the seed's documentation (shared/seed-posix-mq.txt), as
;; written there; only the import line is added.  seed-example.sh checks that
;; it prints #t, then "sending" and "received" with the same blob.
(import (chicken format) (chicken random) (chicken file posix) (chicken blob) posix-mq)

(print posix-mq?) (let* ((str "Hello, world!") (path (sprintf "/mqtest~A" (pseudo-random-integer 100))) (fd (mq-create path 10 1000 oflags: (list open/rdwr))) (msg (string->blob str))) (print "sending " msg) (mq-send path msg) (print "received " (mq-recv path)) (mq-unlink path) )

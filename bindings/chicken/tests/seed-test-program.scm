;; What the seed's own test program (tests/run.scm of chicken-posix-mq) does:
;; print posix-mq?, then create, info, send, recv and unlink a queue, and
;; receive the message it sent.  The seed's program could not pass as written
;; (it applied the received string as a procedure, and relied on `let'
;; evaluating in order); this runs the same calls, in that order, and checks
;; each result.
(import scheme (chicken base) (chicken blob) (chicken condition) (chicken format)
        (chicken file posix) (chicken random) (chicken process-context posix)
        posix-mq)
(include-relative "check.scm")

(check "posix-mq? is #t, as the seed prints it" #t posix-mq?)

;; The seed's first block, including the (print (mq-info path)) its comment
;; says made the test fail.
(with-queue-name "seed-block"
  (lambda (path)
    (let* ((str "Hello, world!")
           (fd (mq-create path 10 1000 oflags: (list open/rdwr)))
           (msg (string->blob str)))
      (check "mq-info after mq-create"
             '((maxmsg . 10) (msgsize . 1000) (curmsgs . 0))
             (mq-info path))
      (check "mq-send returns #t" #t (mq-send path msg))
      (check "mq-recv returns the blob sent" msg (mq-recv path))
      (check "mq-unlink returns 0" 0 (mq-unlink path)))))

;; The seed's test group "mq-recv": create, send, info, recv, unlink.
(define msg "Hello, world!")
(define encoded-msg (string->blob msg))
(define (create-path path) (mq-create path 10 1000 oflags: (list open/rdwr)))
(define (info-path path) (mq-info path))
(define (send-path path) (mq-send path encoded-msg))
;; The seed passes the message as an extra argument to mq-recv; the egg
;; ignores it, as the seed did.
(define (recv-path path) (blob->string (mq-recv path encoded-msg)))
(define (delete-path path) (mq-unlink path))

(with-queue-name "seed-group"
  (lambda (path)
    (let* ((fd (create-path path))
           (sd (send-path path))
           (id (info-path path))
           (decoded-msg (recv-path path))
           (dd (delete-path path)))
      (check "mq-create returns the queue's name" path fd)
      (check "mq-send returns #t" #t sd)
      (check "mq-info counts the message sent"
             '((maxmsg . 10) (msgsize . 1000) (curmsgs . 1)) id)
      (check "received message should be equal to msg" msg decoded-msg)
      (check "mq-unlink returns 0" 0 dd)
      (check-error "the queue is gone after mq-unlink" 'mq-info 'PMQ_ENOENT
                   (lambda () (mq-info path))))))

(finish)

;; The procedures the seed lacked, through the public API: received
;; priorities, timeouts, handles (mq-open / mq-close), and the seed's
;; procedures on handles; and that no call leaves a descriptor open.
(import scheme (chicken base) (chicken blob) (chicken condition) (chicken format)
        (chicken file posix) (chicken gc) (chicken random) (chicken process-context posix)
        (chicken file) srfi-4 posix-mq)
(include-relative "check.scm")

(define (info-field name field) (cdr (assq field (mq-info name))))

(with-queue-name "create"
  (lambda (name)
    (check "mq-create returns the name" name (mq-create name 4 64))
    (check "mq-create sets maxmsg and msgsize"
           '((maxmsg . 4) (msgsize . 64) (curmsgs . 0)) (mq-info name))
    (mq-send name (string->blob "kept"))
    (check "mq-create on an existing queue keeps its attributes and messages"
           '((maxmsg . 4) (msgsize . 64) (curmsgs . 1))
           (begin (mq-create name 8 128 oflags: (list open/wronly)) (mq-info name)))))

(with-queue-name "defaults"
  (lambda (name)
    (mq-create name 0 0)
    (check "maxmsg and msgsize 0 mean the system defaults"
           #t (and (positive? (info-field name 'maxmsg))
                   (positive? (info-field name 'msgsize))))))

(with-queue-name "priority"
  (lambda (name)
    (mq-create name 10 32 oflags: (list open/rdwr))
    (mq-send name (string->blob "low") priority: 1)
    (mq-send name (string->blob "high") priority: 9)
    (mq-send name (string->blob "middle") priority: 5)
    (mq-send name (string->blob "middle 2") priority: 5)
    (define (next) (call-with-values (lambda () (mq-recv/priority name))
                     (lambda (m p) (list (blob->string m) p))))
    (check "highest priority first" '("high" 9) (next))
    (check "FIFO within a priority" '("middle" 5) (next))
    (check "then the second of that priority" '("middle 2" 5) (next))
    (check "lowest last" '("low" 1) (next))))

(with-queue-name "messages"
  (lambda (name)
    (mq-create name 10 16)
    (mq-send name "a string")
    (check "a string is sent as its bytes" (string->blob "a string") (mq-recv name))
    (mq-send name (u8vector 0 1 2 255))
    (check "a u8vector is sent as its bytes" (u8vector->blob (u8vector 0 1 2 255)) (mq-recv name))
    (mq-send name (make-blob 0))
    (check "an empty message arrives empty" 0 (blob-size (mq-recv name)))
    (mq-send name (string->blob (make-string 16 #\A)))
    (check "a message of exactly msgsize bytes" (string->blob (make-string 16 #\A)) (mq-recv name))))

(with-queue-name "timeouts"
  (lambda (name)
    (mq-create name 1 16)
    (check-error "mq-recv on an empty queue with open/nonblock" 'mq-recv 'PMQ_EAGAIN
                 (lambda () (mq-recv name oflags: (list open/nonblock))))
    (check-error "mq-recv on an empty queue with timeout: 0" 'mq-recv 'PMQ_EAGAIN
                 (lambda () (mq-recv name timeout: 0)))
    (check-error "mq-recv on an empty queue with timeout: 0.05" 'mq-recv 'PMQ_ETIMEDOUT
                 (lambda () (mq-recv name timeout: 0.05)))
    (check "mq-send with a timeout, with room" #t (mq-send name "one" timeout: 1))
    (check-error "mq-send on a full queue with open/nonblock" 'mq-send 'PMQ_EAGAIN
                 (lambda () (mq-send name "two" oflags: (list open/nonblock))))
    (check-error "mq-send on a full queue with timeout: 0.05" 'mq-send 'PMQ_ETIMEDOUT
                 (lambda () (mq-send name "two" timeout: 0.05)))
    (check "mq-recv with a timeout, with a message" (string->blob "one") (mq-recv name timeout: 1))
    (check "the failed sends sent nothing" 0 (info-field name 'curmsgs))))

(with-queue-name "handle"
  (lambda (name)
    (let ((q (mq-open name oflags: (list open/rdwr open/creat) maxmsg: 3 msgsize: 20)))
      (check "mq-open returns a handle" #t (mq-queue? q))
      (check "mq-queue-name" name (mq-queue-name q))
      (check "a name is not a handle" #f (mq-queue? name))
      (check "mq-info on a handle" '((maxmsg . 3) (msgsize . 20) (curmsgs . 0)) (mq-info q))
      (check "mq-send on a handle" #t (mq-send q (string->blob "via handle") priority: 7))
      (check "mq-recv/priority on a handle" '("via handle" 7)
             (call-with-values (lambda () (mq-recv/priority q))
               (lambda (m p) (list (blob->string m) p))))
      (check-error "mq-recv on an empty handle with timeout: 0.05" 'mq-recv 'PMQ_ETIMEDOUT
                   (lambda () (mq-recv q timeout: 0.05)))
      (check-error "mq-recv on a handle with open/nonblock" 'mq-recv 'PMQ_EAGAIN
                   (lambda () (mq-recv q oflags: (list open/nonblock))))
      (mq-send name "by name")
      (check "a handle and a name reach the same queue" (string->blob "by name") (mq-recv q))
      (mq-close q)
      (check "mq-close twice is harmless" (void) (mq-close q))
      (check-error "mq-send on a closed handle" 'mq-send 'PMQ_EBADF
                   (lambda () (mq-send q "x")))
      (check-error "mq-recv on a closed handle" 'mq-recv 'PMQ_EBADF
                   (lambda () (mq-recv q)))
      (check-error "mq-info on a closed handle" 'mq-info 'PMQ_EBADF
                   (lambda () (mq-info q))))
    (let ((reader (mq-open name oflags: (list open/rdonly)))
          (writer (mq-open name oflags: (list open/wronly open/nonblock))))
      (mq-send writer "ping")
      (check "open/wronly sends, open/rdonly receives" (string->blob "ping") (mq-recv reader))
      (check-error "mq-send on an open/rdonly handle" 'mq-send 'PMQ_EBADF
                   (lambda () (mq-send reader "x")))
      (check-error "mq-recv on an open/wronly handle" 'mq-recv 'PMQ_EBADF
                   (lambda () (mq-recv writer)))
      (mq-send writer "a") (mq-send writer "b") (mq-send writer "c")
      (check-error "an open/nonblock handle never waits" 'mq-send 'PMQ_EAGAIN
                   (lambda () (mq-send writer "d")))
      (mq-close reader)
      (mq-close writer))))

;; Descriptors: mq-create closes what it opens; a handle is closed by
;; mq-close, or by the collector when dropped.
(define (open-descriptors) (length (directory "/proc/self/fd")))

(with-queue-name "descriptors"
  (lambda (name)
    (mq-create name 2 8)
    (gc #t)
    (let ((before (open-descriptors)))
      (do ((i 0 (+ i 1))) ((= i 20)) (mq-create name 2 8))
      (check "mq-create leaves no descriptor open" before (open-descriptors))
      (do ((i 0 (+ i 1))) ((= i 20)) (mq-close (mq-open name)))
      (check "mq-close closes the handle's descriptor" before (open-descriptors))
      (do ((i 0 (+ i 1))) ((= i 20)) (mq-open name))
      (check "dropped handles hold descriptors until collected"
             #t (> (open-descriptors) before))
      (gc #t)
      (check "the collector closes dropped handles" before (open-descriptors)))))

(finish)

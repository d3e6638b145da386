;; Module posix-mq: the seed egg's API (posix-mq?, mq-create, mq-unlink,
;; mq-info, mq-send, mq-recv) on top of libpmq, plus what the seed lacked:
;; received priorities, timeouts, handles and conditions that say what failed.

(module posix-mq
  (posix-mq?
   mq-create mq-unlink mq-info mq-send mq-recv
   mq-recv/priority mq-open mq-close mq-queue? mq-queue-name
   posix-mq-error? posix-mq-error-code posix-mq-error-name)

(import scheme
        (chicken base)
        (chicken bitwise)
        (chicken blob)
        (chicken condition)
        (chicken foreign)
        (only (chicken format) sprintf)
        (only (chicken time) current-process-milliseconds)
        (only (chicken string) substring-index)
        (only (chicken gc) set-finalizer!)
        (chicken memory)
        (only (chicken file posix)
              open/rdonly open/wronly open/rdwr open/creat open/excl open/nonblock)
        srfi-4)

(include-relative "libpmq-foreign.scm")
(include-relative "conditions.scm")
(include-relative "oflags.scm")
(include-relative "handles.scm")

;; A boolean, not a procedure, as in the seed's code: `(print posix-mq?)'
;; prints #t where POSIX message queues work.
(define posix-mq? (pmq-supported))

(define default-mode #o600)            ; owner only: receiving removes messages

;; Creates the queue (or opens an existing one, unless open/excl is given) and
;; closes it again: the seed returned a descriptor that nothing could use and
;; nobody closed.  Returns `path', for the name-based calls.  maxmsg and
;; msgsize of 0 mean the system defaults.
(define (mq-create path maxmsg msgsize #!key (oflags '()) (mode default-mode))
  (check-queue-name 'mq-create path)
  (let-values (((flags _) (open-oflags->pmq 'mq-create oflags)))
    (let* ((rc (make-s32vector 1 0))
           (pointer (pmq-create path flags
                                (check-mode 'mq-create mode)
                                (check-size 'mq-create "maxmsg" maxmsg)
                                (check-size 'mq-create "msgsize" msgsize)
                                rc)))
      (check-pmq 'mq-create (s32vector-ref rc 0) path maxmsg msgsize)
      (pmq-close pointer)
      path)))

;; Returns 0, as the seed did.
(define (mq-unlink path)
  (check-queue-name 'mq-unlink path)
  (check-pmq 'mq-unlink (pmq-unlink path) path)
  0)

(define (check-target location target)
  (cond ((mq-queue? target) target)
        ((string? target) (check-queue-name location target))
        (else (invalid-argument location
                                "the queue must be a name such as \"/jobs\" or a handle from mq-open"
                                target))))

;; ((maxmsg . n) (msgsize . n) (curmsgs . n)) of a queue name or a handle.
(define (mq-info target)
  (check-target 'mq-info target)
  (let ((attr (if (mq-queue? target)
                  (handle-attributes 'mq-info target)
                  (let ((attr (make-s64vector 3 0)))
                    (check-pmq 'mq-info (pmq-info target attr) target)
                    attr))))
    `((maxmsg . ,(s64vector-ref attr 0))
      (msgsize . ,(s64vector-ref attr 1))
      (curmsgs . ,(s64vector-ref attr 2)))))

;; Opens a queue and returns a handle for mq-send, mq-recv, mq-info and
;; mq-close.  With open/creat in oflags it creates the queue if needed, with
;; maxmsg:, msgsize: (#f: system default) and mode:.
(define (mq-open path #!key (oflags (list open/rdwr)) maxmsg msgsize (mode default-mode))
  (check-queue-name 'mq-open path)
  (let-values (((flags create?) (open-oflags->pmq 'mq-open oflags)))
    (when (and (not create?) (or maxmsg msgsize))
      (invalid-argument 'mq-open
                        "maxmsg: and msgsize: only apply when oflags include open/creat"
                        (list maxmsg: maxmsg msgsize: msgsize)))
    (let* ((rc (make-s32vector 1 0))
           (pointer
            (if create?
                (pmq-create path flags
                            (check-mode 'mq-open mode)
                            (check-size 'mq-open "maxmsg:" (or maxmsg 0))
                            (check-size 'mq-open "msgsize:" (or msgsize 0))
                            rc)
                (pmq-open path flags rc))))
      (check-pmq 'mq-open (s32vector-ref rc 0) path)
      (wrap-handle 'mq-open path flags pointer))))

;; Closing twice is harmless.
(define (mq-close q)
  (unless (mq-queue? q)
    (invalid-argument 'mq-close "mq-close takes a handle from mq-open" q))
  (close-handle! q))

;; Sends `message' (a blob; or a string or u8vector) to a queue name or a
;; handle.  open/nonblock in oflags, or timeout: 0, fails with PMQ_EAGAIN
;; instead of waiting for room; timeout: seconds fails with PMQ_ETIMEDOUT.
;; A wait for room lets the other SRFI-18 threads run (call-on-handle).
;; Returns #t, as the seed did.
(define (mq-send target message #!key (oflags '()) (priority 0) (timeout #f))
  (check-target 'mq-send target)
  (let ((message (message->blob 'mq-send message))
        (priority (check-priority 'mq-send priority))
        (nonblock (io-oflags->pmq 'mq-send oflags))
        (timeout-ms (timeout->milliseconds 'mq-send timeout)))
    (cond ((mq-queue? target)
           (send-on-handle 'mq-send target message priority
                           (if (zero? nonblock) timeout-ms 0)))
          ((negative? timeout-ms)
           ;; By name while there is room; a wait goes through a handle.
           (let ((result (pmq-send-to target message (blob-size message) priority pmq-nonblock)))
             (if (and (= result pmq-eagain) (zero? nonblock))
                 (call-with-temporary-handle
                  'mq-send target pmq-write
                  (lambda (q) (send-on-handle 'mq-send q message priority -1)))
                 (check-pmq 'mq-send result target))))
          (else
           (call-with-temporary-handle
            'mq-send target (bitwise-ior pmq-write nonblock)
            (lambda (q) (send-on-handle 'mq-send q message priority timeout-ms)))))
    #t))

;; Receives the oldest message of the highest priority from a queue name or
;; a handle; returns two values: the message (a blob) and its priority.  A
;; wait for a message lets the other SRFI-18 threads run (call-on-handle).
(define (mq-recv/priority target #!key (oflags '()) (timeout #f))
  (check-target 'mq-recv target)
  (let ((nonblock (io-oflags->pmq 'mq-recv oflags))
        (timeout-ms (timeout->milliseconds 'mq-recv timeout)))
    (cond ((mq-queue? target)
           (recv-on-handle 'mq-recv target (if (zero? nonblock) timeout-ms 0)))
          ((negative? timeout-ms)
           ;; By name while there are messages; a wait goes through a handle.
           (let ((received (recv-by-name 'mq-recv target (zero? nonblock))))
             (if received
                 (values (car received) (cdr received))
                 (call-with-temporary-handle
                  'mq-recv target pmq-read
                  (lambda (q) (recv-on-handle 'mq-recv q -1))))))
          (else
           (call-with-temporary-handle
            'mq-recv target (bitwise-ior pmq-read nonblock)
            (lambda (q) (recv-on-handle 'mq-recv q timeout-ms)))))))

;; As mq-recv/priority, returning only the message, as the seed did.
(define (mq-recv target #!key (oflags '()) (timeout #f))
  (let-values (((message _) (mq-recv/priority target oflags: oflags timeout: timeout)))
    message))

;; Takes a message by name without waiting: (message . priority), or #f
;; when the queue is empty and `may-wait' (the caller then waits); with
;; may-wait #f an empty queue is libpmq's PMQ_EAGAIN.
;; The kernel wants a buffer of the queue's message size, which pmq_info
;; gives; if the name was given to a queue with larger messages in between,
;; PMQ_EMSGSIZE says so without consuming anything, and we ask again.
(define (recv-by-name location path may-wait)
  (let retry ((attempts 3))
    (let* ((attr (make-s64vector 3 0))
           (size (begin (check-pmq location (pmq-info path attr) path)
                        (s64vector-ref attr 1)))
           (buffer (make-blob size))
           (priority (make-u32vector 1 0))
           (length (pmq-recv-from path buffer size priority pmq-nonblock)))
      (cond ((and (= length pmq-emsgsize) (> attempts 1))
             (retry (- attempts 1)))
            ((and (= length pmq-eagain) may-wait) #f)
            (else
             (check-pmq location length path)
             (cons (blob-head buffer length) (u32vector-ref priority 0)))))))

)

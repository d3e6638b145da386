;; Queue handles (mq-open / mq-close): a record around libpmq's pmq_queue*.
;; A handle that is never closed is closed by its finalizer when collected,
;; so dropping one leaks no descriptor.
;; Part of module posix-mq (included by posix-mq.scm).

(define-record-type mq-queue
  (make-mq-queue pointer name message-size nonblocking)
  mq-queue?
  (pointer mq-queue-pointer mq-queue-pointer-set!) ; #f once closed
  (name mq-queue-name)
  ;; Fixed for the life of the queue; kept to size receive buffers without
  ;; asking the kernel each time.
  (message-size mq-queue-message-size)
  ;; Opened with open/nonblock: it never waits.
  (nonblocking mq-queue-nonblocking?))

(set-record-printer! mq-queue
  (lambda (q port)
    (display "#<mq-queue " port)
    (write (mq-queue-name q) port)
    (display (if (mq-queue-pointer q) ">" " closed>") port)))

(define (close-handle! q)
  (let ((pointer (mq-queue-pointer q)))
    (when pointer
      (mq-queue-pointer-set! q #f)
      (pmq-close pointer))))

;; Wraps a pointer fresh from pmq_create / pmq_open with `flags'; closes it
;; if that fails.
(define (wrap-handle location name flags pointer)
  (let* ((attr (make-s64vector 3 0))
         (rc (pmq-getattr pointer attr)))
    (when (negative? rc)
      (let ((failure (pmq-failure location rc (list name))))
        (pmq-close pointer)
        (abort failure)))
    (set-finalizer! (make-mq-queue pointer name (s64vector-ref attr 1)
                                   (not (zero? (bitwise-and flags pmq-nonblock))))
                    close-handle!)))

(define (handle-pointer location q)
  (or (mq-queue-pointer q)
      (posix-mq-abort location pmq-ebadf
                      "the queue handle is closed; open the queue again with mq-open"
                      (list q))))

(define (handle-attributes location q)
  (let ((attr (make-s64vector 3 0)))
    (check-pmq location (pmq-getattr (handle-pointer location q) attr) q)
    attr))

;; Waiting without stopping the other SRFI-18 threads.  A blocking call into
;; libpmq would stop the whole CHICKEN process, whose threads all run on one
;; system thread.  Instead, `attempt' is called with a timeout of 0 (it takes
;; or sends only if it can at once), and while it finds the queue empty (or
;; full) the calling thread waits for the queue's descriptor in CHICKEN's
;; scheduler, which runs the other threads meanwhile, and tries again (another
;; reader may have come first).  timeout-ms: -1 forever, 0 never wait, or a
;; bound on the whole call.  A non-blocking handle and timeout 0 make a single
;; attempt with libpmq's own semantics and explanations.
(define (call-on-handle location q mode timeout-ms attempt)
  (if (or (zero? timeout-ms) (mq-queue-nonblocking? q))
      (check-pmq location (attempt timeout-ms) q)
      (let ((fd (check-pmq location (pmq-fd (handle-pointer location q)) q))
            (deadline (and (positive? timeout-ms)
                           (+ (current-process-milliseconds) timeout-ms))))
        (let retry ()
          (let ((result (attempt 0)))
            (cond ((not (= result pmq-eagain)) (check-pmq location result q))
                  ((and deadline (>= (current-process-milliseconds) deadline))
                   (posix-mq-abort location pmq-etimedout
                                   (sprintf "~A(~S): the queue stayed ~A for the whole ~A ms"
                                            location (mq-queue-name q)
                                            (if (eq? mode #:input) "empty" "full") timeout-ms)
                                   (list q)))
                  (else
                   (wait-for-descriptor fd mode deadline)
                   (retry))))))))

;; What SRFI-18's thread-wait-for-i/o! does (block this thread on fd in the
;; scheduler, then yield), with the deadline core's tcp unit adds to it; core
;; CHICKEN's own scheduler calls, so that the egg needs no other egg.  It
;; returns when fd is ready, the deadline (current-process-milliseconds) has
;; passed, or spuriously: the caller tries again either way.
(define (wait-for-descriptor fd mode deadline)
  (let ((thread ##sys#current-thread))
    (when deadline
      (##sys#thread-block-for-timeout! thread deadline))
    (##sys#thread-block-for-i/o! thread fd mode)
    (##sys#thread-yield!)
    ;; Woken by the descriptor: its timeout must not wake a later wait.
    (when (and deadline (not (##sys#slot thread 13)))
      (##sys#remove-from-timeout-list thread))))

(define (send-on-handle location q message priority timeout-ms)
  (call-on-handle location q #:output timeout-ms
                  (lambda (timeout)
                    (pmq-send-timed (handle-pointer location q) message (blob-size message)
                                    priority timeout))))

;; Returns the message and its priority.
(define (recv-on-handle location q timeout-ms)
  (let* ((size (mq-queue-message-size q))
         (buffer (make-blob size))
         (priority (make-u32vector 1 0))
         (length (call-on-handle location q #:input timeout-ms
                                 (lambda (timeout)
                                   (pmq-recv-timed (handle-pointer location q) buffer size
                                                   priority timeout)))))
    (values (blob-head buffer length) (u32vector-ref priority 0))))

;; The first `length' bytes of `buffer', as a blob of its own.
(define (blob-head buffer length)
  (if (= length (blob-size buffer))
      buffer
      (let ((head (make-blob length)))
        (move-memory! buffer head length)
        head)))

;; Opens `name' for one operation and closes it however `proc' returns.
(define (call-with-temporary-handle location name flags proc)
  (let* ((rc (make-s32vector 1 0))
         (pointer (pmq-open name flags rc)))
    (check-pmq location (s32vector-ref rc 0) name)
    (let ((q (wrap-handle location name flags pointer)))
      (dynamic-wind void
                    (lambda () (proc q))
                    (lambda () (close-handle! q))))))

;; Queue handles (mq-open / mq-close): a record around libpmq's pmq_queue*.
;; A handle that is never closed is closed by its finalizer when collected,
;; so dropping one leaks no descriptor.
;; Part of module posix-mq (included by posix-mq.scm).

(define-record-type mq-queue
  (make-mq-queue pointer name message-size)
  mq-queue?
  (pointer mq-queue-pointer mq-queue-pointer-set!) ; #f once closed
  (name mq-queue-name)
  ;; Fixed for the life of the queue; kept to size receive buffers without
  ;; asking the kernel each time.
  (message-size mq-queue-message-size))

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

;; Wraps a pointer fresh from pmq_create / pmq_open; closes it if that fails.
(define (wrap-handle location name pointer)
  (let* ((attr (make-s64vector 3 0))
         (rc (pmq-getattr pointer attr)))
    (when (negative? rc)
      (let ((failure (pmq-failure location rc (list name))))
        (pmq-close pointer)
        (abort failure)))
    (set-finalizer! (make-mq-queue pointer name (s64vector-ref attr 1))
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

(define (send-on-handle location q message priority timeout-ms)
  (check-pmq location
             (pmq-send-timed (handle-pointer location q) message (blob-size message)
                             priority timeout-ms)
             q))

;; Returns the message and its priority.
(define (recv-on-handle location q timeout-ms)
  (let* ((size (mq-queue-message-size q))
         (buffer (make-blob size))
         (priority (make-u32vector 1 0))
         (length (check-pmq location
                            (pmq-recv-timed (handle-pointer location q) buffer size
                                            priority timeout-ms)
                            q)))
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
    (let ((q (wrap-handle location name pointer)))
      (dynamic-wind void
                    (lambda () (proc q))
                    (lambda () (close-handle! q))))))

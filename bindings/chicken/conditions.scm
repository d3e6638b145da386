;; The conditions this egg raises: composite (exn posix-mq), where exn carries
;; the location, the explanation and the arguments, and posix-mq carries the
;; libpmq error code (a negative integer) and its name (e.g. PMQ_EAGAIN).
;; Part of module posix-mq (included by posix-mq.scm).

(define (make-posix-mq-condition location code message arguments)
  (make-composite-condition
    (make-property-condition 'exn
                             'location location
                             'message message
                             'arguments arguments)
    (make-property-condition 'posix-mq
                             'code code
                             'name (string->symbol (pmq-err-name code)))))

(define (posix-mq-abort location code message arguments)
  (abort (make-posix-mq-condition location code message arguments)))

;; The condition for a libpmq call that returned `code' < 0, with libpmq's
;; own explanation.  Build it right after the failing call: the explanation
;; belongs to the thread's last failure.
(define (pmq-failure location code arguments)
  (let ((why (pmq-last-error)))
    (make-posix-mq-condition location code
                             (if (and why (positive? (string-length why)))
                                 (with-scheme-flag-names why)
                                 (pmq-strerror code))
                             arguments)))

;; libpmq explains in terms of its C flags; say what they are called here.
(define (with-scheme-flag-names explanation)
  (if (substring-index "PMQ_" explanation)
      (string-append explanation
                     " (from Scheme: PMQ_READ / PMQ_WRITE are oflags open/rdonly,"
                     " open/wronly, open/rdwr; PMQ_EXCL is open/excl; PMQ_NONBLOCK is"
                     " open/nonblock or timeout: 0)")
      explanation))

;; Returns the (non-negative) result of a libpmq call, or raises its failure.
(define (check-pmq location result . arguments)
  (if (negative? result)
      (abort (pmq-failure location result arguments))
      result))

;; Bad input found before calling libpmq: the explanation shows the value.
(define (invalid-argument location message value)
  (posix-mq-abort location pmq-einval
                  (sprintf "~A; got ~S" message value)
                  (list value)))

(define posix-mq-error? (condition-predicate 'posix-mq))
(define posix-mq-error-code (condition-property-accessor 'posix-mq 'code #f))
(define posix-mq-error-name (condition-property-accessor 'posix-mq 'name #f))

;; Argument checks shared by the procedures.

(define (check-queue-name location path)
  (cond ((not (string? path))
         (invalid-argument location
                           "the queue name must be a string such as \"/jobs\""
                           path))
        ((string-index-of-nul path)
         (posix-mq-abort location pmq-ename
                         "the queue name contains a NUL character; use \"/\" followed by printable characters"
                         (list path)))
        (else path)))

(define (string-index-of-nul s)
  (let loop ((i 0))
    (cond ((= i (string-length s)) #f)
          ((char=? (string-ref s i) #\nul) i)
          (else (loop (+ i 1))))))

;; Modes and priorities: Scheme makes sure they fit the C unsigned int;
;; libpmq explains the values it refuses within that.
(define uint-max #xFFFFFFFF)

(define (check-unsigned location what value explanation)
  (if (and (exact-integer? value) (<= 0 value uint-max))
      value
      (invalid-argument location (string-append what " must be " explanation) value)))

(define (check-mode location mode)
  (check-unsigned location "mode:" mode
                  "permission bits such as #o600 (owner only) or #o660 (owner and group)"))

(define (check-priority location priority)
  (check-unsigned location "priority:" priority
                  "an exact integer >= 0 (higher is received first)"))

;; maxmsg and msgsize: libpmq explains values it refuses; Scheme only makes
;; sure they fit its int64_t.
(define (check-size location what value)
  (if (and (exact-integer? value) (< (abs value) (expt 2 62)))
      value
      (invalid-argument location
                        (sprintf "~A must be an exact integer: a positive count, or 0 for the system default"
                                 what)
                        value)))

;; timeout: #f waits forever; seconds (a real >= 0, fractions allowed) wait at
;; most that long, rounded up to whole milliseconds so that a short positive
;; timeout still waits.  libpmq takes an int of milliseconds, so anything
;; longer than about 24.8 days is capped there.
(define max-timeout-ms 2147483647)

(define (timeout->milliseconds location timeout)
  (cond ((not timeout) -1)
        ((and (real? timeout) (not (nan? timeout)) (>= timeout 0))
         (let ((ms (* timeout 1000)))
           (if (>= ms max-timeout-ms)
               max-timeout-ms
               (inexact->exact (ceiling ms)))))
        (else
         (invalid-argument location
                           "timeout: must be #f (wait forever) or a number of seconds >= 0"
                           timeout))))

;; A message: a blob (as in the seed), or a string or u8vector, sent as bytes.
(define (message->blob location message)
  (cond ((blob? message) message)
        ((string? message) (string->blob message))
        ((u8vector? message) (u8vector->blob/shared message))
        (else (invalid-argument location
                                "the message must be a blob, a string or a u8vector"
                                message))))

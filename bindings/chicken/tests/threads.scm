;; Blocking calls let the other SRFI-18 threads run: one thread waits in
;; mq-recv (or mq-send on a full queue) while another keeps working, counts
;; its progress, and then sends (or receives); the waiting thread completes.
;; The threads are made with the core scheduler calls that the srfi-18 egg
;; itself is built on, since eggs cannot be installed offline.
(import scheme (chicken base) (chicken blob) (chicken condition) (chicken format)
        (chicken file posix) (chicken random) (chicken process-context posix)
        (chicken time)
        (only (chicken process signal) set-alarm! set-signal-handler! signal/alrm)
        posix-mq)
(include-relative "check.scm")

;; A thread running thunk: srfi-18's make-thread and thread-start! in one.
;; (thread-result t) is (value . v) or (raised . condition) once it is done.
(define (spawn thunk)
  (letrec ((thread
            (##sys#make-thread
             (lambda ()
               (let ((outcome (call/cc
                               (lambda (k)
                                 (with-exception-handler
                                  (lambda (c) (k (cons 'raised c)))
                                  (lambda () (cons 'value (thunk))))))))
                 (##sys#setslot thread 2 outcome)
                 (##sys#thread-kill! thread 'dead)
                 (##sys#schedule)))
             'created 'worker ##sys#current-thread)))
    (##sys#setslot thread 3 'ready)
    (##sys#add-to-ready-queue thread)
    thread))

(define (thread-done? t) (eq? (##sys#slot t 3) 'dead))
(define (thread-result t) (##sys#slot t 2))
(define (yield) (##sys#thread-yield!))

;; Waits (yielding) until t is done; gives up after `seconds'.
(define (join t seconds)
  (let ((give-up (+ (current-process-milliseconds) (* seconds 1000))))
    (let loop ()
      (cond ((thread-done? t) (thread-result t))
            ((> (current-process-milliseconds) give-up) '(still-waiting))
            (else (yield) (loop))))))

;; The working thread: `steps' units of work, yielding after each, as a
;; thread doing I/O or computing in slices does.
(define (work steps)
  (let loop ((done 0))
    (if (< done steps)
        (begin (yield) (loop (+ done 1)))
        done)))

;; waiter: a thunk that waits; finish: what the working thread does after its
;; work to end the wait; expected: the waiter's result.
(define (check-others-run description waiter finish expected)
  (let* ((started #f)
         (t (spawn (lambda () (set! started #t) (waiter)))))
    (yield) ; the waiter runs and starts waiting
    (let ((progress (work 1000)))
      (check (string-append description ": it had started waiting") #t started)
      (check (string-append description ": another thread did 1000 steps meanwhile") 1000 progress)
      (check (string-append description ": it was still waiting") #f (thread-done? t))
      (finish)
      (check (string-append description ": it completed once the other thread acted")
             (cons 'value expected) (join t 10)))))

(with-queue-name "recv-handle"
  (lambda (name)
    (let ((q (mq-open name oflags: (list open/rdwr open/creat) maxmsg: 2 msgsize: 16)))
      (check-others-run "mq-recv on a blocking handle"
                        (lambda () (mq-recv q timeout: 10))
                        (lambda () (mq-send q "hello"))
                        (string->blob "hello"))
      (check-others-run "mq-recv/priority on a blocking handle, no timeout"
                        (lambda () (call-with-values (lambda () (mq-recv/priority q)) list))
                        (lambda () (mq-send q "urgent" priority: 7))
                        (list (string->blob "urgent") 7))
      (mq-close q))))

(with-queue-name "recv-name"
  (lambda (name)
    (mq-create name 2 16)
    (check-others-run "mq-recv by name, no timeout"
                      (lambda () (mq-recv name))
                      (lambda () (mq-send name "by name"))
                      (string->blob "by name"))
    (check-others-run "mq-recv by name with a timeout"
                      (lambda () (mq-recv name timeout: 10))
                      (lambda () (mq-send name "timed"))
                      (string->blob "timed"))))

(with-queue-name "send-full"
  (lambda (name)
    (let ((q (mq-open name oflags: (list open/rdwr open/creat) maxmsg: 1 msgsize: 16)))
      (mq-send q "first")
      (check-others-run "mq-send on a full queue through a blocking handle"
                        (lambda () (mq-send q "second"))
                        (lambda () (mq-recv q))
                        #t)
      (check-others-run "mq-send by name on a full queue"
                        (lambda () (mq-send name "third"))
                        (lambda () (mq-recv q))
                        #t)
      (check "the queue holds what was sent last" (string->blob "third") (mq-recv q timeout: 0))
      (mq-close q))))

(define (sort-blobs blobs)
  (let ((strings (map blob->string blobs)))
    (map string->blob (if (string<? (car strings) (cadr strings)) strings (reverse strings)))))

;; Two threads waiting on the same queue: each message goes to one of them.
(with-queue-name "two-waiters"
  (lambda (name)
    (mq-create name 4 16)
    (let ((a (spawn (lambda () (mq-recv name timeout: 10))))
          (b (spawn (lambda () (mq-recv name timeout: 10)))))
      (work 100)
      (check "both receivers wait" '(#f #f) (list (thread-done? a) (thread-done? b)))
      (mq-send name "x")
      (mq-send name "y")
      (check "each got one message" (list (string->blob "x") (string->blob "y"))
             (sort-blobs (list (cdr (join a 10)) (cdr (join b 10))))))))

;; A timeout still bounds the wait, and the other threads run during it.
(with-queue-name "timeout"
  (lambda (name)
    (mq-create name 2 16)
    (let* ((begun (current-process-milliseconds))
           (t (spawn (lambda () (mq-recv name timeout: 0.3)))))
      (yield)
      (let ((progress (work 200)))
        (check "the other thread worked during the timed wait" #t
               (and (= progress 200) (not (thread-done? t)))))
      (let ((outcome (join t 10)))
        (check "the wait ended with PMQ_ETIMEDOUT" 'PMQ_ETIMEDOUT
               (and (eq? (car outcome) 'raised) (posix-mq-error-name (cdr outcome))))
        (check "from mq-recv" 'mq-recv
               (and (eq? (car outcome) 'raised) (exn-location (cdr outcome))))
        (check "after the whole timeout" #t
               (>= (- (current-process-milliseconds) begun) 300))))))

;; A signal handler runs while a thread waits, as during any SRFI-18 wait
;; for I/O, and the wait goes on: here the handler itself sends the message.
(with-queue-name "signal"
  (lambda (name)
    (mq-create name 2 16)
    (let ((handled #f))
      (set-signal-handler! signal/alrm
                           (lambda (signal)
                             (set! handled #t)
                             (mq-send name "from the handler" oflags: (list open/nonblock))))
      (set-alarm! 1)
      (check "a receive goes on waiting through a signal handler"
             (string->blob "from the handler") (mq-recv name timeout: 10))
      (check "the Scheme signal handler ran" #t handled)
      (set-signal-handler! signal/alrm #f))))

(finish)

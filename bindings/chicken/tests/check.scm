;; A minimal check library for the egg's tests (the `test' egg is not
;; available offline): each check prints a line, a failure makes the program
;; exit with status 1, and a program that ran no check fails too.
;; Included by the test programs; needs (chicken condition), (chicken format),
;; (chicken process-context) and (chicken random) imported.

(define checks-run 0)
(define checks-failed 0)

(define (report ok? description detail)
  (set! checks-run (+ checks-run 1))
  (unless ok? (set! checks-failed (+ checks-failed 1)))
  (printf "~A: ~A~A~%" (if ok? "ok" "FAIL") description
          (if ok? "" (string-append "\n      " detail))))

(define (check description expected actual)
  (report (equal? expected actual) description
          (sprintf "expected ~S, got ~S" expected actual)))

(define (exn-message c) ((condition-property-accessor 'exn 'message "") c))
(define (exn-location c) ((condition-property-accessor 'exn 'location #f) c))

;; Runs thunk, which must raise (exn posix-mq) with the libpmq error named
;; error-name (e.g. 'PMQ_EAGAIN), from `location', with a non-empty
;; explanation.  Returns the condition, or #f.
(define (check-error description location error-name thunk)
  (let ((outcome
         (call/cc
          (lambda (k)
            (with-exception-handler
             (lambda (c) (k (cons 'raised c)))
             (lambda () (cons 'returned (thunk))))))))
    (if (eq? (car outcome) 'returned)
        (begin
          (report #f description
                  (sprintf "expected ~A, but it returned ~S" error-name (cdr outcome)))
          #f)
        (let* ((c (cdr outcome))
               (posix-mq? ((condition-predicate 'posix-mq) c))
               (exn? ((condition-predicate 'exn) c))
               (name (and posix-mq? ((condition-property-accessor 'posix-mq 'name) c)))
               (code (and posix-mq? ((condition-property-accessor 'posix-mq 'code) c)))
               (message (if exn? (exn-message c) "")))
          (report (and posix-mq? exn?
                       (eq? name error-name)
                       (integer? code) (negative? code)
                       (eq? (exn-location c) location)
                       (string? message) (positive? (string-length message)))
                  description
                  (sprintf "expected (exn posix-mq) ~A at ~A, got ~A ~S at ~S: ~S"
                           error-name location
                           (if posix-mq? "(exn posix-mq)" "another condition")
                           name (exn-location c) message))
          (printf "      ~A~%" message)
          c))))

;; A queue name no other test or run uses.
(define queue-counter 0)
(define (unique-queue-name tag)
  (set! queue-counter (+ queue-counter 1))
  (sprintf "/pmqtest-chicken-~A-~A-~A-~A"
           tag (current-process-id) queue-counter (pseudo-random-integer 100000)))

;; Calls (proc name) with a fresh name and unlinks that queue afterwards,
;; however proc returns.
(define (with-queue-name tag proc)
  (let ((name (unique-queue-name tag)))
    (dynamic-wind
        void
        (lambda () (proc name))
        (lambda ()
          (handle-exceptions _ #f (mq-unlink name))))))

(define (finish)
  (printf "~A checks, ~A failed~%" checks-run checks-failed)
  (exit (if (and (positive? checks-run) (zero? checks-failed)) 0 1)))

;; Every error path of the egg: bad input found in Scheme and failures
;; reported by libpmq both raise (exn posix-mq) carrying the pmq error code,
;; its name, the procedure and an explanation; and a failing call changes
;; nothing.
(import scheme (chicken base) (chicken blob) (chicken condition) (chicken format)
        (chicken file posix) (chicken random) (chicken process-context posix)
        (only (chicken string) substring-index)
        posix-mq)
(include-relative "check.scm")

(define missing (unique-queue-name "missing"))

;; The condition itself: kinds, properties and accessors.
(let ((c (check-error "mq-info of a missing queue" 'mq-info 'PMQ_ENOENT
                      (lambda () (mq-info missing)))))
  (check "posix-mq-error? recognises it" #t (posix-mq-error? c))
  (check "posix-mq-error-code is PMQ_ENOENT's value, -3" -3 (posix-mq-error-code c))
  (check "posix-mq-error-name" 'PMQ_ENOENT (posix-mq-error-name c))
  (check "the arguments name the queue" (list missing)
         ((condition-property-accessor 'exn 'arguments) c))
  (check "the explanation names the queue" #t
         (and (substring-index missing (exn-message c)) #t)))
(check "posix-mq-error? is #f for other conditions" #f
       (posix-mq-error? (make-property-condition 'exn 'message "other")))

;; Queue names.
(check-error "a name that is not a string" 'mq-create 'PMQ_EINVAL
             (lambda () (mq-create 'jobs 10 100)))
(check-error "a name without the leading slash" 'mq-create 'PMQ_ENAME
             (lambda () (mq-create "jobs" 10 100)))
(check-error "a name with a second slash" 'mq-send 'PMQ_ENAME
             (lambda () (mq-send "/a/b" "x")))
(check-error "an empty name" 'mq-unlink 'PMQ_ENAME (lambda () (mq-unlink "")))
(check-error "a name with a NUL character" 'mq-info 'PMQ_ENAME
             (lambda () (mq-info "/a\x00;b")))
(check-error "a name that is too long" 'mq-open 'PMQ_ENAME
             (lambda () (mq-open (string-append "/" (make-string 300 #\q)))))

;; Queues that do not exist.
(check-error "mq-send to a missing queue" 'mq-send 'PMQ_ENOENT
             (lambda () (mq-send missing "x")))
(check-error "mq-send with a timeout to a missing queue" 'mq-send 'PMQ_ENOENT
             (lambda () (mq-send missing "x" timeout: 1)))
(check-error "mq-recv from a missing queue" 'mq-recv 'PMQ_ENOENT
             (lambda () (mq-recv missing)))
(check-error "mq-recv with a timeout from a missing queue" 'mq-recv 'PMQ_ENOENT
             (lambda () (mq-recv missing timeout: 1)))
(check-error "mq-unlink of a missing queue" 'mq-unlink 'PMQ_ENOENT
             (lambda () (mq-unlink missing)))
(check-error "mq-open of a missing queue without open/creat" 'mq-open 'PMQ_ENOENT
             (lambda () (mq-open missing)))

;; mq-create and mq-open arguments.
(with-queue-name "create-errors"
  (lambda (name)
    (check-error "maxmsg beyond the kernel's ceiling" 'mq-create 'PMQ_ELIMIT
                 (lambda () (mq-create name 1000000 100)))
    (check-error "a negative msgsize" 'mq-create 'PMQ_EINVAL
                 (lambda () (mq-create name 10 -1)))
    (check-error "a maxmsg that is not an integer" 'mq-create 'PMQ_EINVAL
                 (lambda () (mq-create name 2.5 100)))
    (check-error "a negative mode" 'mq-create 'PMQ_EINVAL
                 (lambda () (mq-create name 10 100 mode: -1)))
    (check-error "a mode beyond #o777" 'mq-create 'PMQ_EINVAL
                 (lambda () (mq-create name 10 100 mode: #o4777)))
    (check-error "oflags that are not a list" 'mq-create 'PMQ_EINVAL
                 (lambda () (mq-create name 10 100 oflags: open/rdwr)))
    (check-error "oflags holding something else" 'mq-create 'PMQ_EINVAL
                 (lambda () (mq-create name 10 100 oflags: (list 'rdwr))))
    (check-error "open/trunc, which queues do not have" 'mq-create 'PMQ_EINVAL
                 (lambda () (mq-create name 10 100 oflags: (list open/rdwr open/trunc))))
    (check-error "open/wronly with open/rdwr" 'mq-create 'PMQ_EINVAL
                 (lambda () (mq-create name 10 100 oflags: (list open/wronly open/rdwr))))
    (check-error "nothing was created by the failed calls" 'mq-info 'PMQ_ENOENT
                 (lambda () (mq-info name)))
    (mq-create name 2 16 oflags: (list open/rdwr open/excl))
    (check-error "open/excl on an existing queue" 'mq-create 'PMQ_EEXIST
                 (lambda () (mq-create name 2 16 oflags: (list open/rdwr open/excl))))
    (check-error "open/excl through mq-open" 'mq-open 'PMQ_EEXIST
                 (lambda () (mq-open name oflags: (list open/rdwr open/creat open/excl))))
    (check-error "maxmsg: without open/creat" 'mq-open 'PMQ_EINVAL
                 (lambda () (mq-open name maxmsg: 4)))
    (check-error "mq-close of something that is not a handle" 'mq-close 'PMQ_EINVAL
                 (lambda () (mq-close name)))))

;; mq-send and mq-recv arguments.
(with-queue-name "io-errors"
  (lambda (name)
    (mq-create name 2 8)
    (check-error "a message larger than msgsize" 'mq-send 'PMQ_EMSGSIZE
                 (lambda () (mq-send name (make-string 9 #\x))))
    (check-error "a message that is neither blob, string nor u8vector" 'mq-send 'PMQ_EINVAL
                 (lambda () (mq-send name 42)))
    (check-error "a negative priority" 'mq-send 'PMQ_EINVAL
                 (lambda () (mq-send name "x" priority: -1)))
    (check-error "a priority beyond the system's maximum" 'mq-send 'PMQ_EINVAL
                 (lambda () (mq-send name "x" priority: 1000000)))
    (check-error "a priority that is not an integer" 'mq-send 'PMQ_EINVAL
                 (lambda () (mq-send name "x" priority: 'high)))
    (check-error "a negative timeout" 'mq-recv 'PMQ_EINVAL
                 (lambda () (mq-recv name timeout: -1)))
    (check-error "a timeout that is not a number" 'mq-send 'PMQ_EINVAL
                 (lambda () (mq-send name "x" timeout: 'soon)))
    (check-error "open/excl makes no sense for mq-send" 'mq-send 'PMQ_EINVAL
                 (lambda () (mq-send name "x" oflags: (list open/excl))))
    (check-error "open/creat makes no sense for mq-recv" 'mq-recv 'PMQ_EINVAL
                 (lambda () (mq-recv name oflags: (list open/creat))))
    (check-error "mq-send to something that is neither name nor handle" 'mq-send 'PMQ_EINVAL
                 (lambda () (mq-send 42 "x")))
    (check "the failed sends sent nothing" '((maxmsg . 2) (msgsize . 8) (curmsgs . 0))
           (mq-info name))))

(finish)

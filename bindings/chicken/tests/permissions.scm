;; Queue permissions, played by two users (driven by permissions.sh):
;;   owner NAME: creates NAME with the default mode and NAME.shared with
;;               mode: #o666;
;;   other NAME: as another user, is refused NAME (default mode is 0600) with
;;               PMQ_EACCES, and may send to NAME.shared;
;;   check NAME: as the owner again, finds that message, and unlinks both.
(import scheme (chicken base) (chicken blob) (chicken condition) (chicken format)
        (chicken file posix) (chicken random) (chicken process-context)
        (chicken process-context posix) posix-mq)
(include-relative "check.scm")

(define role (string->symbol (car (command-line-arguments))))
(define private (cadr (command-line-arguments)))
(define shared (string-append private ".shared"))

(case role
  ((owner)
   (check "owner creates a queue with the default mode" private (mq-create private 2 32))
   (check "owner creates a queue with mode: #o666" shared
          (mq-create shared 2 32 mode: #o666)))
  ((other)
   (check-error "another user may not read a queue of the default mode" 'mq-info
                'PMQ_EACCES (lambda () (mq-info private)))
   (check-error "nor send to it" 'mq-send 'PMQ_EACCES
                (lambda () (mq-send private "intruder")))
   (check-error "nor receive from it" 'mq-recv 'PMQ_EACCES
                (lambda () (mq-recv private)))
   (check-error "nor open it" 'mq-open 'PMQ_EACCES
                (lambda () (mq-open private oflags: (list open/rdonly))))
   (check-error "nor unlink it" 'mq-unlink 'PMQ_EACCES
                (lambda () (mq-unlink private)))
   (check "but may send to the queue created with mode: #o666" #t
          (mq-send shared "from another user")))
  ((check)
   (check "the intruder sent nothing" 0 (cdr (assq 'curmsgs (mq-info private))))
   (check "the other user's message arrived" (string->blob "from another user")
          (mq-recv shared oflags: (list open/nonblock)))
   (mq-unlink private)
   (mq-unlink shared)))

(finish)

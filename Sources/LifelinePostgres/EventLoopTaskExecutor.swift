import NIOCore

/// Runs a Swift task's jobs on one NIO event loop. swift-nio offers no task executor, and
/// this is all one needs: each job is handed to the loop as it is enqueued.
///
/// ``PostgresSQLConnection`` waits for postgres-nio's async `COPY` on a thread that may belong
/// to Swift's shared pool; the copy's task must not need that pool to make progress.
final class EventLoopTaskExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

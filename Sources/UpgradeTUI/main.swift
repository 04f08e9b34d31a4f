import Foundation
import UpgradeModel

// One malloc arena for every thread: set before the first `await`, which moves to the concurrency
// runtime's worker threads; a worker that allocates before this runs gets an arena of its own (measured:
// from inside `CommandLineMain.run` the limit came too late and a second arena held megabytes).
POSIX.limitMallocArenas(1)
KubeClient.useOneEventLoopThread()
let code = await CommandLineMain.run(Array(CommandLine.arguments.dropFirst()))
fflush(nil)
exit(code)

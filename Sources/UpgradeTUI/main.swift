import Foundation

let code = await CommandLineMain.run(Array(CommandLine.arguments.dropFirst()))
fflush(nil)
exit(code)

# rpact getSimulationRates on a two-arm design with one interim (comparable to the simulator's
# parametric two_arm design with one PP look): 80 patients (40 per arm), a look at 40, response
# rates 0.3 (control) and 0.6, one-sided alpha 0.025, O'Brien-Fleming-type boundaries with a
# non-binding futility bound at z = 0. Times `repeats` runs of `iters` iterations and prints the
# fastest (iterations, seconds and trials per second) as JSON.
args <- commandArgs(trailingOnly = TRUE)
iters <- if (length(args) >= 1) as.integer(args[1]) else 10000L
repeats <- if (length(args) >= 2) as.integer(args[2]) else 3L
suppressPackageStartupMessages(library(rpact))
design <- getDesignGroupSequential(kMax = 2, alpha = 0.025, typeOfDesign = "asOF",
                                   futilityBounds = 0, bindingFutility = FALSE)
run <- function(n) getSimulationRates(design, groups = 2, pi1 = 0.6, pi2 = 0.3,
                                      plannedSubjects = c(40, 80), maxNumberOfIterations = n,
                                      seed = 1)
invisible(run(100L))  # warm-up
secs <- Inf
for (i in seq_len(repeats)) {
  t0 <- proc.time()[["elapsed"]]
  sim <- run(iters)
  secs <- min(secs, proc.time()[["elapsed"]] - t0)
}
cat(sprintf('{"iterations": %d, "seconds": %.4f, "trials_per_second": %.1f, "overall_reject": %.4f, "expected_n": %.3f, "rpact": "%s"}\n',
            iters, secs, iters / secs, sim$overallReject, sim$expectedNumberOfSubjects,
            as.character(packageVersion("rpact"))))

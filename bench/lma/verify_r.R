# Run findClusters on many cases in one R session (for bench/lma/verify_vs_r.py).
# Usage: Rscript verify_r.R PKG_DIR CASES_DIR
#   CASES_DIR/cases.csv: case,minSZ,minSC,tarSZ,tarSC ; CASES_DIR/flows_<case>.csv (integer codes)
# Writes CASES_DIR/r_<case>_assignment.csv and r_<case>_reserve.csv.
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(data.table))
source(file.path(args[1], "R", "LabourMarketAreas.R"))
cases <- fread(file.path(args[2], "cases.csv"))
for (i in seq_len(nrow(cases))) {
  cs <- cases[i]
  flows <- fread(file.path(args[2], paste0("flows_", cs$case, ".csv")),
                 colClasses = c("integer", "integer", "numeric"))
  res <- tryCatch({
    invisible(capture.output(out <- findClusters(LWCom = copy(flows), minSZ = cs$minSZ,
                                                 minSC = cs$minSC, tarSZ = cs$tarSZ,
                                                 tarSC = cs$tarSC)))
    out
  }, error = function(e) { cat("case", cs$case, "R error:", conditionMessage(e), "\n"); NULL })
  if (is.null(res)) next
  a <- merge(res$lma$clusterList[, list(community, cluster)],
             res$lma.before0$clusterList[, list(community, before = cluster)], by = "community")
  a <- merge(a, res$communitiesMovements, by = "community", all.x = TRUE)
  fwrite(a, file.path(args[2], paste0("r_", cs$case, "_assignment.csv")))
  rl <- res$reserve.list
  if (length(rl) > 0) {
    rl <- rbindlist(lapply(rl, function(v) as.list(c(v, rep("", 6 - length(v))))))
    setnames(rl, c("code", "iteration", "cluster", "validity", "community", "second"))
  } else {
    rl <- data.table(code = character(), iteration = character(), cluster = character(),
                     validity = character(), community = character(), second = character())
  }
  fwrite(rl, file.path(args[2], paste0("r_", cs$case, "_reserve.csv")))
}

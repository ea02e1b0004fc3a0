# Run R LabourMarketAreas::findClusters on one flow table and report its time.
# Usage: Rscript run_r.R PKG_DIR FLOWS_CSV minSZ minSC tarSZ tarSC CHAR(0/1) OUT_CSV
#   PKG_DIR  : the package source (cran/LabourMarketAreas 3.4), NOT part of this repository
#   FLOWS_CSV: community_live,community_work,amount
# Writes OUT_CSV (community,cluster) and prints "findClusters_seconds <elapsed> <user CPU>".
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(data.table))
source(file.path(args[1], "R", "LabourMarketAreas.R"))
char <- args[7] == "1"
flows <- fread(args[2], colClasses = if (char) c("character", "character", "numeric") else
                 c("integer", "integer", "numeric"))
setcolorder(flows, c("community_live", "community_work", "amount"))
p <- as.numeric(args[3:6])
t0 <- proc.time()
out <- invisible(capture.output(res <- findClusters(LWCom = copy(flows), minSZ = p[1], minSC = p[2],
                                                     tarSZ = p[3], tarSC = p[4],
                                                     idcom_type = if (char) "char" else NULL)))
el <- proc.time() - t0
fwrite(res$lma$clusterList[, list(community, cluster)], args[8])
cat("findClusters_seconds", el[["elapsed"]], el[["user.self"]], "\n")

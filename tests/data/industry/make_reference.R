# Reference numbers from the R packages EconGeo and REAT for tests/industry/test_r_reference.py.
# Usage: Rscript make_reference.R <EconGeo R/ folder> <REAT R/ folder>
# The R sources are sourced directly (no package installation); see README.md.
args <- commandArgs(trailingOnly = TRUE)
eg <- args[1]; reat <- args[2]
for (f in c("location.quotient.r", "Krugman.index.r", "Herfindahl.r", "Hoover.index.r",
            "Hoover.Gini.r", "locational.Gini.r")) source(file.path(eg, f))
for (f in c("herf.R", "hoover.R", "krugman.spec.R", "ellison.a.R", "ellison.a2.R")) {
  source(file.path(reat, f))
}
mat <- read.csv("matrix.csv", row.names = 1, check.names = FALSE)
mat <- as.matrix(mat)
firms <- read.csv("firms.csv", stringsAsFactors = FALSE)
out <- data.frame(package = character(), statistic = character(), unit_a = character(),
                  unit_b = character(), industry = character(), value = numeric(),
                  stringsAsFactors = FALSE)
add <- function(pkg, stat, a, b, ind, v) {
  out[nrow(out) + 1, ] <<- list(pkg, stat, a, b, ind, v)
}
lq <- location.quotient(mat)
for (i in rownames(mat)) for (k in colnames(mat)) add("EconGeo", "location.quotient", i, "", k, lq[i, k])
kr <- Krugman.index(mat)
for (i in rownames(mat)) add("EconGeo", "Krugman.index", i, "", "", kr[i])
hf <- Herfindahl(mat)
for (i in rownames(mat)) add("EconGeo", "Herfindahl", i, "", "", hf[i])
pop <- rowSums(mat)
ho <- Hoover.index(mat, pop)
for (r in seq_len(nrow(ho))) add("EconGeo", "Hoover.index(pop=rowSums)", "", "", ho[r, 1], ho[r, 2])
hg <- Hoover.Gini(mat, pop)
for (r in seq_len(nrow(hg))) add("EconGeo", "Hoover.Gini(pop=rowSums)", "", "", hg[r, 1], hg[r, 2])
lg <- locational.Gini(mat)
for (r in seq_len(nrow(lg))) add("EconGeo", "locational.Gini", "", "", lg[r, 1], lg[r, 2])
for (i in rownames(mat)) add("REAT", "herf", i, "", "", herf(mat[i, ]))
for (k in colnames(mat)) add("REAT", "hoover(ref=rowSums)", "", "", k, hoover(mat[, k], ref = pop))
for (a in rownames(mat)) for (b in rownames(mat)) {
  add("REAT", "krugman.spec", a, b, "", krugman.spec(mat[a, ], mat[b, ]))
}
eg2 <- ellison.a2(firms$employment, firms$industry, firms$unit_id, print.results = FALSE)
for (k in rownames(eg2)) {
  add("REAT", "ellison.a2 gamma", "", "", k, eg2[k, "Gamma i"])
  add("REAT", "ellison.a2 G", "", "", k, eg2[k, "G i"])
  add("REAT", "ellison.a2 HHI", "", "", k, eg2[k, "HHI i"])
}
write.csv(format(out, digits = 15), "r_reference.csv", row.names = FALSE, quote = TRUE)
cat(nrow(out), "rows written\n")

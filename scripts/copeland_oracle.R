# Copeland scores of ASEM indicator blocks with COINr's a_copeland (run by
# scripts/make_copeland_oracle.sh, which sources COINr's R/aggregate.R from a checkout).
source("aggregate.R")
X <- read.csv(commandArgs(TRUE)[1], check.names = FALSE)
blocks <- list(
  connectivity = c("LPI","Flights","Ship","Bord","Elec","Gas","ConSpeed","Cov4G"),
  trade = c("Goods","Services","FDI","PRemit","ForPort"),
  sustain = c("Renew","PrimEner","CO2","MatCon","Forest","Poverty","Palma","TertGrad","FreePress","TolMin","NGOs","CPI","FemLab","WomParl","PubDebt","PrivDebt","GDPGrow","RDExp","NEET")
)

out <- data.frame(uCode = X$uCode)
for (b in names(blocks)) {
  d <- X[, blocks[[b]]]
  out[[paste0(b, "_equal")]] <- a_copeland(d, rep(1, ncol(d)))
  w <- seq_len(ncol(d))  # 1, 2, ..., k
  out[[paste0(b, "_rising")]] <- a_copeland(d, w)
}
write.csv(out, commandArgs(TRUE)[2], row.names = FALSE)

# Plots docs/data/generator-validation.csv (the /epochs series of the default profile's bs-32 and bs-256
# checkpoints at lr 0.01, exported with h5dump) for docs/data.md: `gnuplot scripts/plot_generator_validation.gp`.
set terminal pngcairo size 900,380 font "sans,10"
set output "docs/images/generator-validation.png"
set datafile separator ","
set multiplot layout 1,2
set xlabel "epoch"; set ylabel "binary cross-entropy"; set key top right; set grid
set yrange [0.2:0.75]
set title "batch 32, SGD lr 0.01"
plot "docs/data/generator-validation.csv" every ::1 using ($1==32?$2:1/0):3 with lines lw 2 title "training", \
     "" every ::1 using ($1==32?$2:1/0):4 with lines lw 2 title "validation"
set title "batch 256, SGD lr 0.01"
plot "docs/data/generator-validation.csv" every ::1 using ($1==256?$2:1/0):3 with lines lw 2 title "training", \
     "" every ::1 using ($1==256?$2:1/0):4 with lines lw 2 title "validation"
unset multiplot

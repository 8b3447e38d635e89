set terminal pngcairo size 1400,1000 font 'sans,10'
set output 'bench/results-routed-3/results.png'
set termoption noenhanced
set multiplot layout 2,2 title 'pairpath benchmark: medians, bars from min to max'
set style fill solid 0.6 border -1
set boxwidth 0.7
set grid ytics
set yrange [0:*]
set xtics rotate by -35 left nomirror
set xrange [-0.6:12.600000]
unset key
set title "UDP sink, 64 B, one CPU (Mpps, higher is better)"
plot 'bench/results-routed-3/chart.dat' using 1:3:xtic(2) with boxes lc rgb '#4a7ab5', '' using 1:3:4:5 with yerrorbars lc rgb 'black' pt 0
set title "TCP single stream, one CPU (Gbit/s)"
plot 'bench/results-routed-3/chart.dat' using 1:6:xtic(2) with boxes lc rgb '#4a7ab5', '' using 1:6:7:8 with yerrorbars lc rgb 'black' pt 0
set title "TCP request/response p50, one CPU (us, lower is better)"
plot 'bench/results-routed-3/chart.dat' using 1:9:xtic(2) with boxes lc rgb '#4a7ab5', '' using 1:9:10:11 with yerrorbars lc rgb 'black' pt 0
unset multiplot

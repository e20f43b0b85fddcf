#!/bin/bash
# Generates the odd-input matrix into /tmp/s8c/in from ../shared/media clips.
set -u
M=$(cd "$(dirname "$0")/../.." && pwd)/../shared/media
V=$M/video/pyscenedetect/testvideo.mp4
MUS=$M/music/essentia/techno_loop.mp3
SP=$M/speech/whisper/jfk.flac
O=/tmp/s8c/in
F="ffmpeg -hide_banner -v error -y"
ENC="-c:v libx264 -preset veryfast -crf 23 -pix_fmt yuv420p"
AAC="-c:a aac -b:a 128k"
cd $O
# base: 6 s of testvideo (cuts) with music, 1280x720 29.97, AAC stereo 48k
$F -t 6 -i $V -t 6 -i $MUS -map 0:v -map 1:a $ENC $AAC -ar 48000 -ac 2 -shortest base.mp4
# a normal source (another part of testvideo + speech)
$F -ss 8 -t 5 -i $V -t 5 -i $SP -map 0:v -map 1:a $ENC $AAC -ar 48000 -ac 2 src.mp4
: > zero.mp4
printf 'this is not a video\nat all\n' > text.mp4
# moov at the front (faststart), then cut to 30 %: the index is there, the data is not
$F -i base.mp4 -c copy -movflags +faststart base-fs.mp4
s=$(stat -c %s base-fs.mp4); head -c $((s*30/100)) base-fs.mp4 > trunc30-faststart.mp4
# moov at the end, cut 10 % short: no index at all
s=$(stat -c %s base.mp4); head -c $((s*90/100)) base.mp4 > trunc-nomoov.mp4
rm base-fs.mp4
$F -i base.mp4 -vn -c:a libmp3lame -q:a 4 audio.mp3
$F -i base.mp4 -vn -c:a pcm_s16le audio.wav
$F -i base.mp4 -vn -c:a aac audio.m4a
cp audio.m4a audio-only.mp4
$F -i base.mp4 -an -c:v copy noaudio.mp4
$F -i base.mp4 -frames:v 1 -an $ENC oneframe.mp4
$F -i base.mp4 -frames:v 1 -t 0.04 $ENC $AAC oneframe-audio.mp4
$F -i base.mp4 -t 0.3 $ENC $AAC short03.mp4
$F -ss 1 -i base.mp4 -frames:v 1 still.png
$F -ss 1 -i base.mp4 -frames:v 1 still.jpg
cp still.png still-png.mp4
$F -i base.mp4 -t 3 -vf scale=853:479 -c:v libx264 -preset veryfast -pix_fmt yuv444p $AAC odd853x479.mp4
$F -i base.mp4 -t 3 -vf scale=2:2 -c:v libx264 -preset veryfast -pix_fmt yuv444p $AAC tiny2x2.mp4
$F -i base.mp4 -t 3 -vf scale=4:4 $ENC $AAC tiny4x4.mp4
$F -i base.mp4 -t 1.5 -vf scale=4096:2160 $ENC $AAC big4096.mp4
# display matrix 90 degrees (phone portrait)
$F -display_rotation 90 -i base.mp4 -c copy rot90.mp4
# SAR 4:3 on 720x576 (anamorphic)
$F -i base.mp4 -vf scale=720:576,setsar=4/3 $ENC $AAC sar43.mp4
# VFR: 3 s at 24 fps then 3 s at 60 fps, concatenated with copy
$F -i base.mp4 -t 3 -r 24 $ENC $AAC -ar 48000 p24.mp4
$F -ss 3 -i base.mp4 -t 3 -r 60 $ENC $AAC -ar 48000 p60.mp4
printf "file '%s'\nfile '%s'\n" $O/p24.mp4 $O/p60.mp4 > cat.txt
$F -f concat -safe 0 -i cat.txt -c copy vfr-24-60.mp4
rm p24.mp4 p60.mp4 cat.txt
# VFR by dropped frames: decimate-like drop of every 3rd frame, timestamps kept
$F -i base.mp4 -vf "select='not(eq(mod(n\,3)\,2))'" -fps_mode vfr $ENC $AAC vfr-drop.mp4
$F -i base.mp4 -c:v libx264 -preset veryfast -pix_fmt yuv420p10le $AAC h264-10bit.mp4
$F -i base.mp4 -c:v libx265 -preset ultrafast -pix_fmt yuv420p10le -tag:v hvc1 -x265-params log-level=error $AAC hevc-10bit.mp4
$F -i base.mp4 -c:v libx264 -preset veryfast -pix_fmt yuv444p $AAC yuv444p.mp4
$F -i base.mp4 -c:v libx264 -preset veryfast -pix_fmt yuvj420p $AAC yuvj420p.mp4
$F -i base.mp4 -vf scale=720:576,setfield=tff -flags +ildct+ilme -c:v libx264 -preset veryfast -pix_fmt yuv420p -x264-params tff=1 $AAC interlaced.mp4
# MKV with a subtitle stream
cat > subs.srt <<'SRT'
1
00:00:00,500 --> 00:00:02,500
Hello there

2
00:00:03,000 --> 00:00:05,000
Second line
SRT
$F -i base.mp4 -i subs.srt -map 0 -map 1 -c:v copy -c:a copy -c:s srt subs.mkv
$F -i base.mp4 -i subs.srt -map 0 -map 1 -c:v copy -c:a copy -c:s mov_text subs-movtext.mp4
rm subs.srt
# two video streams (second one is a different picture), two audio streams, a data stream
$F -i base.mp4 -i src.mp4 -map 0:v -map 1:v -map 0:a -c copy two-video.mp4
$F -i base.mp4 -i src.mp4 -map 0:v -map 0:a -map 1:a -c copy two-audio.mp4
$F -i src.mp4 -i base.mp4 -map 1:v -map 0:a -map 1:a -c copy -disposition:a:0 0 -disposition:a:1 default two-audio-default2.mp4
$F -i base.mp4 -map 0 -c copy -timecode 01:00:00:00 data-tmcd.mov
# audio layouts
$F -i base.mp4 -af "pan=5.1|FL=c0|FR=c1|FC=c0|LFE=c1|BL=c0|BR=c1" -c:v copy -c:a aac -ac 6 a51.mp4
$F -i base.mp4 -c:v copy -c:a aac -ac 1 amono.mp4
$F -i base.mp4 -c:v copy -c:a aac -ar 8000 a8k.mp4
$F -i base.mp4 -af "pan=7.1|c0=c0|c1=c1|c2=c0|c3=c1|c4=c0|c5=c1|c6=c0|c7=c1" -c:v copy -c:a pcm_s16le a71.mov
# audio starts 2 s after the video, and the video 2 s after the audio
$F -i base.mp4 -itsoffset 2 -i base.mp4 -map 0:v -map 1:a -c copy audio-late2.mp4
$F -itsoffset 2 -i base.mp4 -i base.mp4 -map 0:v -map 1:a -c copy video-late2.mp4
# loud clipped and digital silence
$F -i base.mp4 -c:v copy -af "volume=30dB,alimiter=limit=1:level=false,volume=0dB" -c:a pcm_s16le -f mov loud-clipped.mov
$F -i base.mp4 -f lavfi -t 6 -i anullsrc=r=48000:cl=stereo -map 0:v -map 1:a -c:v copy $AAC -shortest silence.mp4
# long GOP with B-pyramid
$F -i base.mp4 -c:v libx264 -preset medium -g 600 -keyint_min 600 -sc_threshold 0 -bf 8 -b_strategy 2 -x264-params b-pyramid=normal -pix_fmt yuv420p $AAC longgop-bpyr.mp4
# 1 fps and 120 fps
$F -i base.mp4 -r 1 $ENC $AAC fps1.mp4
$F -i base.mp4 -t 3 -r 120 $ENC $AAC fps120.mp4
ls -la $O
